import { openStore, type JsonValue } from "@store/log";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { out, outJson, type Io } from "../io.js";

/** `store set DIR KEY JSON`: one durable set (takes the lock). */
export async function set(io: Io, dir: string, key: string, text: string, options: { json?: boolean }): Promise<ExitCode> {
  const value = parseJsonArgument(text);
  const store = await openStore(dir);
  let seq;
  try {
    ({ seq } = await store.set(key, value));
  } finally {
    await store.close();
  }
  if (options.json === true) outJson(io, { key, seq });
  else out(io, `set ${JSON.stringify(key)} at seq ${seq}`);
  return EXIT.ok;
}

function parseJsonArgument(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`the value ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text)} is not JSON (${reason}); a string needs its quotes: '"text"'`);
  }
}
