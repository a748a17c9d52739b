import { verifyFolder, type VerifyFinding } from "@store/log";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { out, outJson, type Io } from "../io.js";
import { formatBytes, printTable } from "../output.js";
import { progressBar } from "../progress.js";
import { auditGame, type GameAudit } from "./game-audit.js";

/**
 * `store verify DIR`: every file read and checked without the lock (`verifyFolder`); with --game,
 * the game layer's audit on a read-only open. Exit 1 when anything is damaged or the audit fails.
 */
export async function verify(io: Io, dir: string, options: { json?: boolean; game?: boolean; backups: boolean }): Promise<ExitCode> {
  const progress = await progressBar(io, "verifying", options.json !== true);
  let report;
  try {
    report = await verifyFolder(dir, { backups: options.backups, onProgress: ({ bytesDone, bytesTotal }) => {
        progress.update(bytesDone, bytesTotal);
      } });
  } finally {
    progress.stop();
  }
  const game: GameAudit | undefined = options.game === true ? await auditGame(dir) : undefined;
  const ok = report.ok && (game === undefined || game.ok);
  if (options.json === true) {
    outJson(io, { ...report, ok, ...(game === undefined ? {} : { game }) });
    return ok ? EXIT.ok : EXIT.found;
  }
  const damage = report.findings.filter((finding) => finding.severity === "damage");
  const bytes = report.files.reduce((sum, file) => sum + file.bytes, 0);
  const records = report.files.reduce((sum, file) => sum + file.records, 0);
  out(io, `${report.ok ? "ok" : "DAMAGED"}: ${dir}: ${report.files.length} file(s), ${formatBytes(bytes)}, ${records} records, up to seq ${report.seq}; ${damage.length} damaged, ${report.findings.length - damage.length} note(s)`);
  if (report.findings.length > 0) await printTable(io, ["", "file", "offset", "what"], report.findings.map(findingRow));
  if (game !== undefined) {
    out(io, `${game.ok ? "ok" : "FAILED"}: game audit at seq ${game.seq}: ${game.summary}`);
    if (game.problems.length > 0) await printTable(io, ["key", "problem"], game.problems.map((problem) => [problem.key, problem.problem]));
  }
  return ok ? EXIT.ok : EXIT.found;
}

function findingRow(finding: VerifyFinding): string[] {
  return [finding.severity, finding.path, finding.offset === null ? "-" : String(finding.offset), finding.what];
}
