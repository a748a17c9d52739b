import { openStore } from "@store/log";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { outJson, type Io } from "../io.js";
import { formatBytes, printFields } from "../output.js";

/** `store compact DIR`: one compaction (takes the lock). */
export async function compact(io: Io, dir: string, options: { json?: boolean }): Promise<ExitCode> {
  const store = await openStore(dir);
  let result;
  try {
    result = await store.compact();
  } finally {
    await store.close();
  }
  if (options.json === true) {
    outJson(io, { dir, ...result });
    return EXIT.ok;
  }
  await printFields(io, [
    ["base", `${result.baseFile} (seq ${result.seq})`],
    ["bytes", `${formatBytes(result.bytesBefore)} -> ${formatBytes(result.bytesAfter)}`],
    ["retired to backups/", result.retiredFiles.join(", ") || "none"],
    ["took", `${result.durationMs} ms`],
  ]);
  return EXIT.ok;
}
