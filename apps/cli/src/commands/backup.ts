import { backupFolder } from "@store/log";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { out, outJson, type Io } from "../io.js";
import { formatBytes } from "../output.js";

/** `store backup DIR DEST`: a consistent copy while the writer runs, verified (`backupFolder`). */
export async function backup(io: Io, dir: string, dest: string, options: { json?: boolean }): Promise<ExitCode> {
  const result = await backupFolder(dir, dest);
  if (options.json === true) outJson(io, { dir, ...result });
  else out(io, `backed up ${dir} at seq ${result.seq} into ${dest}: ${result.files.length} file(s), ${formatBytes(result.bytes)}, verified`);
  return EXIT.ok;
}
