import { openStore } from "@store/log";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { err, out, outJson, type Io } from "../io.js";

/** `store get DIR KEY`: the value as JSON (read-only, no lock). Exit 1 when the key does not exist. */
export async function get(io: Io, dir: string, key: string, options: { json?: boolean }): Promise<ExitCode> {
  const store = await openStore(dir, { readOnly: true });
  let entry;
  let seq;
  try {
    entry = store.getEntry(key);
    seq = store.seq;
  } finally {
    await store.close();
  }
  if (entry === undefined) {
    err(io, `store: no key ${JSON.stringify(key)} in ${dir} (at seq ${seq}).`);
    return EXIT.found;
  }
  if (options.json === true) outJson(io, { key, value: entry.value, version: entry.version });
  else out(io, io.stdoutIsTty ? JSON.stringify(entry.value, null, 2) : JSON.stringify(entry.value));
  return EXIT.ok;
}
