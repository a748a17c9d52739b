import { EXIT, type ExitCode } from "../exit-codes.js";
import { outJson, type Io } from "../io.js";
import { printFields } from "../output.js";
import { connect } from "./remote.js";

/** `store stats SOCKET`: what the served store reports (`stats()` through the socket), every field of it. */
export async function statsRemote(io: Io, socketPath: string, options: { json?: boolean }): Promise<ExitCode> {
  const kv = await connect(socketPath);
  let numbers;
  try {
    numbers = await kv.stats();
  } finally {
    await kv.close();
  }
  const report: Record<string, unknown> = { socket: socketPath, ...numbers };
  if (options.json === true) {
    outJson(io, report);
    return EXIT.ok;
  }
  await printFields(io, Object.entries(report).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)] as const));
  return EXIT.ok;
}
