import { openStore } from "@store/log";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { err, out, outJson, type Io } from "../io.js";

/** `store del DIR KEY`: deletes a key that exists (takes the lock); exit 1, nothing written, when it does not. */
export async function del(io: Io, dir: string, key: string, options: { json?: boolean }): Promise<ExitCode> {
  const store = await openStore(dir);
  try {
    const entry = store.getEntry(key);
    if (entry === undefined) {
      err(io, `store: no key ${JSON.stringify(key)} in ${dir} (at seq ${store.seq}); nothing was written.`);
      return EXIT.found;
    }
    // Conditional on the version read: with the lock held nothing else writes, but the rule costs nothing.
    const { seq } = await store.batch([{ type: "delete", key, ifVersion: entry.version }]);
    if (options.json === true) outJson(io, { key, seq, deletedVersion: entry.version });
    else out(io, `deleted ${JSON.stringify(key)} at seq ${seq}`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
