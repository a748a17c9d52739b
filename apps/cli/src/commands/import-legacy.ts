import { readFile } from "node:fs/promises";
import { createGame, type ImportReport } from "@store/game";
import { openStore, toKeyValueStore } from "@store/log";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { out, outJson, type Io } from "../io.js";
import { printTable } from "../output.js";

/**
 * `store import-legacy DIR --players F --tokens F --game-states F`: the old bot's JSON files through
 * `@store/game`'s importer (all or nothing; takes the lock), and its report. Any problem in any file:
 * nothing is imported, every problem is listed, exit 1.
 */
export async function importLegacy(io: Io, dir: string, options: { json?: boolean; players?: string; tokens?: string; gameStates?: string }): Promise<ExitCode> {
  const files = { players: options.players, tokens: options.tokens, gameStates: options.gameStates };
  if (Object.values(files).every((file) => file === undefined)) throw new UsageError("import-legacy needs at least one of --players, --tokens, --game-states");
  const input: Record<string, Uint8Array> = {};
  for (const [name, file] of Object.entries(files)) if (file !== undefined) input[name] = await readLegacyFile(file);
  const kv = toKeyValueStore(await openStore(dir));
  let report: ImportReport;
  try {
    const game = await createGame(kv, { sweepIntervalMs: 0 });
    try {
      report = await game.importLegacy(input);
    } finally {
      await game.close();
    }
  } finally {
    await kv.close();
  }
  const code = report.problems.length > 0 ? EXIT.found : EXIT.ok;
  if (options.json === true) {
    outJson(io, { dir, ...report });
    return code;
  }
  const { counts } = report;
  const what = `${counts.players} players, ${counts.accounts} token accounts, ${counts.games} games, ${counts.tokens} tokens`;
  if (report.alreadyImported) out(io, `already imported (digest ${report.digest.slice(0, 12)}): nothing was written again`);
  else if (report.imported) out(io, `imported ${what} into ${dir} (seq ${report.seq ?? "-"})`);
  else out(io, `NOT imported: ${report.problems.length} problem(s); nothing was written (the files hold ${what})`);
  if (report.problems.length > 0) await printTable(io, ["file", "where", "id", "problem"], report.problems.map((problem) => [problem.file, problem.where, problem.id ?? "-", problem.why]));
  if (report.ignoredFields.length > 0) {
    out(io, "fields no rule maps (kept nowhere):");
    await printTable(io, ["field", "records"], report.ignoredFields.map((field) => [field.field, String(field.records)]));
  }
  return code;
}

async function readLegacyFile(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot read ${file}: ${reason}`);
  }
}
