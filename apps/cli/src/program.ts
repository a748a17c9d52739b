import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { reportError } from "./errors.js";
import { EXIT, Outcome, type ExitCode } from "./exit-codes.js";
import type { Io } from "./io.js";

const EXIT_CODES_HELP = `
Exit codes:
  0   done (verify: no damage)
  1   the data is damaged or not there: verify found damage, a damaged folder or
      input file, a key that does not exist, records no longer kept, a failed audit
  2   could not run: locked by another process, I/O error, not a store, newer
      format, input refused; or a bad command line (unknown command or option,
      missing or malformed argument)

Errors are one line on stderr: "store: CODE: what, where, what to do".
--debug or STORE_DEBUG=1 adds the stack.`;

/**
 * The command line: commander parses it, each command's module is imported only when it runs (so
 * `store --version` loads nothing but this file and commander), and every outcome becomes an exit
 * code. Nothing here touches a data folder.
 */
export async function run(argv: readonly string[], io: Io): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  let debug = (): boolean => false;
  const execute: Execute = async (body) => {
    const current: Io = debug() ? { ...io, env: { debug: true } } : io;
    try {
      code = await body(current);
    } catch (error) {
      code = error instanceof Outcome ? error.code : reportError(current, error);
    }
  };
  const program = buildProgram(io, execute);
  debug = () => program.opts<{ debug?: boolean }>().debug === true;
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) return reportError(io, error);
    return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? EXIT.ok : EXIT.usage;
  }
  return code;
}

type Execute = (body: (io: Io) => Promise<ExitCode>) => Promise<void>;

function buildProgram(io: Io, execute: Execute): Command {
  const program = new Command("store")
    .description("The operator's tool for a @store/log data folder: inspect, verify, repair, compact, export, import, follow, back up, restore.")
    .version(readVersion(), "-V, --version")
    .option("--debug", "print the stack of an error")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", EXIT_CODES_HELP);
  const json = (): Option => new Option("--json", "print JSON (one document, or one line per item)");
  const command = (name: string, summary: string): Command => program.command(name).description(summary).addHelpText("after", EXIT_CODES_HELP);

  command("stats", "seq, keys, bytes, garbage, segments, backups, last compaction, lock holder, recovery report (read-only, no lock); of a socket: what the served store reports")
    .argument("<dir>", "data folder, or a running bot's socket (<data folder>/store.sock)")
    .addOption(json())
    .action((dir: string, options: { json?: boolean }) =>
      execute(async (io) => ((await (await import("./commands/remote.js")).isSocket(dir)) ? (await import("./commands/stats-remote.js")).statsRemote(io, dir, options) : (await import("./commands/stats.js")).stats(io, dir, options))),
    );
  command("verify", "read every file and check it, read-only and without the lock (safe while the writer runs)")
    .argument("<dir>", "data folder")
    .option("--game", "also run the game layer's audit (conservation of tokens, schemas)")
    .option("--no-backups", "do not check backups/")
    .addOption(json())
    .action((dir: string, options: { json?: boolean; game?: boolean; backups: boolean }) => execute(async (io) => (await import("./commands/verify.js")).verify(io, dir, options)));
  command("repair", "open with salvage: keep every whole record, keep damaged files aside in damaged/, say what was cut (takes the lock)")
    .argument("<dir>", "data folder")
    .addOption(json())
    .action((dir: string, options: { json?: boolean }) => execute(async (io) => (await import("./commands/repair.js")).repair(io, dir, options)));
  command("compact", "write the live keys into a new base, retire the old files to backups/ (takes the lock)")
    .argument("<dir>", "data folder")
    .addOption(json())
    .action((dir: string, options: { json?: boolean }) => execute(async (io) => (await import("./commands/compact.js")).compact(io, dir, options)));
  command("get", "print a key's value (read-only, no lock); exit 1 if it does not exist")
    .argument("<dir>", "data folder")
    .argument("<key>", "the key")
    .addOption(json())
    .action((dir: string, key: string, options: { json?: boolean }) => execute(async (io) => (await import("./commands/get.js")).get(io, dir, key, options)));
  command("set", "set a key to a JSON value, durably (takes the lock)")
    .argument("<dir>", "data folder")
    .argument("<key>", "the key")
    .argument("<json>", "the value, as JSON (quote it for the shell: '{\"name\":\"Ada\"}')")
    .addOption(json())
    .action((dir: string, key: string, value: string, options: { json?: boolean }) => execute(async (io) => (await import("./commands/set.js")).set(io, dir, key, value, options)));
  command("del", "delete a key (takes the lock); exit 1 if it does not exist")
    .argument("<dir>", "data folder")
    .argument("<key>", "the key")
    .addOption(json())
    .action((dir: string, key: string, options: { json?: boolean }) => execute(async (io) => (await import("./commands/del.js")).del(io, dir, key, options)));
  command("scan", "list keys and values in key order, page by page (read-only, no lock)")
    .argument("<dir>", "data folder")
    .argument("[prefix]", "only keys starting with this", "")
    .option("--limit <n>", "at most this many keys", parseCount)
    .addOption(json())
    .action((dir: string, prefix: string, options: { json?: boolean; limit?: number }) => execute(async (io) => (await import("./commands/scan.js")).scan(io, dir, prefix, options)));
  command("export", "write every live key at one seq, streamed (read-only, no lock)")
    .argument("<dir>", "data folder")
    .addOption(new Option("--format <format>", "jsonl: a header line, one entry per line, an end line; json: one document").choices(["jsonl", "json"]).default("jsonl"))
    .option("--out <file>", "write to this file (atomically: it appears whole or not at all) instead of stdout")
    .option("--prefix <prefix>", "only keys starting with this", "")
    .addOption(json().default(false).hideHelp())
    .action((dir: string, options: { format: "jsonl" | "json"; out?: string; prefix: string; json: boolean }) =>
      execute(async (io) => (await import("./commands/export.js")).exportCommand(io, dir, options)),
    );
  command("import", "import an export file, all or nothing (takes the lock)")
    .argument("<dir>", "data folder (a new one is built aside and moved in whole)")
    .argument("<file>", "a file `store export` wrote")
    .addOption(json())
    .action((dir: string, file: string, options: { json?: boolean }) => execute(async (io) => (await import("./commands/import.js")).importCommand(io, dir, file, options)));
  command("import-legacy", "import the old bot's players.json, tokens.json and gameStates.json through @store/game, all or nothing (takes the lock)")
    .argument("<dir>", "data folder")
    .option("--players <file>", "players.json")
    .option("--tokens <file>", "tokens.json")
    .option("--game-states <file>", "gameStates.json")
    .addOption(json())
    .action((dir: string, options: { json?: boolean; players?: string; tokens?: string; gameStates?: string }) =>
      execute(async (io) => (await import("./commands/import-legacy.js")).importLegacy(io, dir, options)),
    );
  command("migrate", "copy every key between stores, a data folder or PostgreSQL (postgres://...), at one seq, in batches, then check both sides")
    .requiredOption("--from <src>", "the source: a data folder or a postgres:// URL")
    .requiredOption("--to <dst>", "the target: a data folder or a postgres:// URL (refused if it holds keys, unless --force)")
    .option("--schema <name>", "the schema of the PostgreSQL side(s)", "store")
    .option("--force", "write into a target that holds keys (its other keys stay)")
    .addOption(json())
    .action((options: { from: string; to: string; schema: string; force?: boolean; json?: boolean }) =>
      execute(async (io) => (await import("./commands/migrate.js")).migrate(io, options)),
    );
  command("tail", "print records as they are written (read-only, no lock; follows segment rolls and compactions); of a socket: its changes from --from (default: new ones)")
    .argument("<dir>", "data folder, or a running bot's socket (<data folder>/store.sock)")
    .option("-f, --follow", "keep printing new records until interrupted")
    .option("--from <seq>", "start at this seq (from backups/ when compacted away)", parseSeq)
    .option("-n, --lines <n>", "without --from: start with the last n records", parseCount, 10)
    .addOption(json())
    .action((dir: string, options: { json?: boolean; follow?: boolean; from?: number; lines: number }) =>
      execute(async (io) => ((await (await import("./commands/remote.js")).isSocket(dir)) ? (await import("./commands/tail-remote.js")).tailRemote(io, dir, options) : (await import("./commands/tail.js")).tail(io, dir, options))),
    );
  command("backup", "copy the folder while its writer runs: cut at a record boundary, then verified (no lock)")
    .argument("<dir>", "data folder")
    .argument("<dest>", "a new or empty folder")
    .addOption(json())
    .action((dir: string, dest: string, options: { json?: boolean }) => execute(async (io) => (await import("./commands/backup.js")).backup(io, dir, dest, options)));
  command("restore", "the state as of a seq or a time, from the live files and backups/, into a new folder (read-only on DIR, no lock)")
    .argument("<dir>", "data folder")
    .option("--seq <n>", "the state exactly as of this seq", parseSeq)
    .option("--at <time>", "the state as of the last record written at or before this ISO 8601 time (local time when no zone is given)", parseTime)
    .requiredOption("--out <newdir>", "a new or empty folder for the restored store")
    .addOption(json())
    .action((dir: string, options: { seq?: number; at?: number; out: string; json?: boolean }) => execute(async (io) => (await import("./commands/restore.js")).restore(io, dir, options)));
  return program;
}

function parseTime(text: string): number {
  const value = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/u.test(text) || !Number.isFinite(value)) throw new InvalidArgumentError(`expected an ISO 8601 time (2026-11-29T10:04:00Z), got ${JSON.stringify(text)}.`);
  return value;
}

function parseCount(text: string): number {
  const value = Number(text);
  if (!/^\d+$/u.test(text) || !Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`expected a whole number from 1, got ${JSON.stringify(text)}.`);
  return value;
}

function parseSeq(text: string): number {
  const value = Number(text);
  if (!/^\d+$/u.test(text) || !Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`expected a seq (a whole number from 1), got ${JSON.stringify(text)}.`);
  return value;
}

function readVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "0.0.0";
}
