import { importEntries } from "@store/log";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { out, outJson, type Io } from "../io.js";

/** `store import DIR FILE`: an export file, all or nothing (`importEntries`). */
export async function importCommand(io: Io, dir: string, file: string, options: { json?: boolean }): Promise<ExitCode> {
  const result = await importEntries(dir, file);
  if (options.json === true) {
    outJson(io, { dir, file, ...result });
    return EXIT.ok;
  }
  const how = result.how === "batch" ? "in one atomic batch" : "built aside and moved into place whole";
  out(io, `imported ${result.imported} entries from ${file} (exported at seq ${result.exportSeq}) into ${dir}, now at seq ${result.seq}, ${how}`);
  return EXIT.ok;
}
