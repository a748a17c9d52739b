import { join } from "node:path";
import type { FileSystem, JsonValue } from "@store/fs";
import { createGame, type Game, type GameOptions, type ImportReport, type LegacySource } from "@store/game";
import { toLegacyRecord } from "@store/game/legacy";
import type { KeyValueStore } from "@store/kv";
import { openStore, toKeyValueStore, type Store } from "@store/log";
import { openPostgresStore } from "@store/postgres";
import { createCompactionScheduler, type CompactionScheduler, type SchedulerOptions } from "@store/scheduler";
import { createMirror, readJsonFile, type Mirror } from "@store/snapshot";
import type { Config } from "./config.js";

/**
 * The old design's files, by the names the mirror keeps writing, the key prefix each holds, and each
 * record in the old file's shape (`players[id].wins`, `tokens[id].balance`), so the old bot's tools
 * keep reading them, and `importLegacy` reads them back into a new folder.
 */
export const MIRROR_VIEWS = {
  "players.json": { prefix: "players/", transform: toLegacyRecord },
  "tokens.json": { prefix: "tokens/", transform: toLegacyRecord },
  "gameStates.json": { prefix: "games/", transform: toLegacyRecord },
} as const;

const GAME_PREFIXES = Object.values(MIRROR_VIEWS).map((view) => view.prefix);

export interface Storage {
  /** Where the data is, for the health line, when it is not in a data folder's log. Default: on PostgreSQL. */
  readonly where?: string | undefined;
  /** The log, on a data folder; undefined on PostgreSQL (`STORE_URL`), which has no folder, mirror or compaction. */
  readonly store: Store | undefined;
  readonly game: Game;
  readonly mirror: Mirror | undefined;
  readonly scheduler: CompactionScheduler | undefined;
  /** What the first start imported from the old JSON files, if it did. */
  readonly imported: ImportReport | undefined;
  /** Stops the game layer, the scheduler and the mirror (writing its last state), then closes the store. */
  close(): Promise<void>;
}

export interface StorageHooks {
  /** Errors of background work (mirror writes, compactions, expiry sweeps). */
  readonly onError: (source: "mirror" | "compaction" | "game", error: unknown) => void;
  /** The game layer's clock (tests move it). Default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /** The disk (tests inject faults). Default: the real one. */
  readonly fs?: FileSystem | undefined;
}

/**
 * The composition this example exists to show: the log is the source of truth, the game layer
 * runs on it through the `KeyValueStore` contract, and the JSON mirror and the compaction scheduler
 * work in the background. (Another backend, PostgreSQL or a shared socket, would replace the first
 * two lines: everything after `toKeyValueStore` only knows the contract.)
 */
export async function openStorage(config: Config, hooks: StorageHooks): Promise<Storage> {
  if (config.storeUrl !== undefined) return openPostgresStorage(config.storeUrl, config, hooks);
  const disk = hooks.fs === undefined ? {} : { fs: hooks.fs };
  const store = await openStore(join(config.dataDir, "log"), { sync: "always", ...disk });
  let game: Game | undefined;
  try {
    game = await createGame(toKeyValueStore(store), gameOptions(config, hooks));
    // After createGame, which rolls back an import a crash interrupted, so that one is tried again.
    const imported = hasNoGameData(store) ? await importOldFiles(game, config.legacyDir, hooks.fs) : undefined;
    const mirror = config.mirror ? createMirror(store, { dir: join(config.dataDir, "mirror"), views: MIRROR_VIEWS, intervalMs: config.mirrorIntervalMs, onError: report(hooks, "mirror"), ...disk }) : undefined;
    const scheduler = createCompactionScheduler(store, schedulerOptions(config, hooks));
    const opened = game;
    let closing: Promise<void> | undefined;
    return { store, game: opened, mirror, scheduler, imported, close: () => (closing ??= closeAll([() => opened.close(), () => scheduler.stop(), () => mirror?.close(), () => store.close()])) };
  } catch (error) {
    await game?.close();
    await store.close().catch(() => undefined);
    throw error;
  }
}

export function gameOptions(config: Config, hooks: StorageHooks): GameOptions {
  return {
    dailyAmount: config.dailyAmount,
    dailyCooldownMs: config.dailyCooldownMs,
    gameTtlMs: config.gameExpiryMs,
    sweepIntervalMs: config.sweepIntervalMs,
    onError: report(hooks, "game"),
    ...(hooks.now === undefined ? {} : { now: hooks.now }),
  };
}

function schedulerOptions(config: Config, hooks: StorageHooks): SchedulerOptions {
  return {
    minBytes: config.compactMinBytes,
    garbageRatioMin: config.compactGarbageRatioMin,
    maxAgeMs: config.compactMaxAgeMs ?? Number.POSITIVE_INFINITY,
    checkIntervalMs: config.compactCheckIntervalMs,
    onError: report(hooks, "compaction"),
  };
}

function report(hooks: StorageHooks, source: "mirror" | "compaction" | "game"): (error: unknown) => void {
  return (error) => {
    hooks.onError(source, error);
  };
}

/**
 * The same game on PostgreSQL (`STORE_URL=postgres://...`): several bot processes can share it. The
 * server keeps the data durable and compact, so there is no mirror and no scheduler.
 */
async function openPostgresStorage(url: string, config: Config, hooks: StorageHooks): Promise<Storage> {
  const kv = await openPostgresStore({ connectionString: url }, { schema: config.storeSchema });
  let game: Game | undefined;
  try {
    game = await createGame(kv, gameOptions(config, hooks));
    const imported = (await hasNoGameDataIn(kv)) ? await importOldFiles(game, config.legacyDir, hooks.fs) : undefined;
    const opened = game;
    let closing: Promise<void> | undefined;
    return { store: undefined, game: opened, mirror: undefined, scheduler: undefined, imported, close: () => (closing ??= closeAll([() => opened.close(), () => kv.close()])) };
  } catch (error) {
    await game?.close();
    await kv.close().catch(() => undefined);
    throw error;
  }
}

async function hasNoGameDataIn(kv: KeyValueStore): Promise<boolean> {
  for (const prefix of GAME_PREFIXES) if ((await kv.scan({ prefix, limit: 1 })).length > 0) return false;
  return true;
}

/** In dependency order; every step runs even if an earlier one failed, and the first failure is rethrown. */
async function closeAll(steps: ReadonlyArray<() => Promise<void> | undefined>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

function hasNoGameData(store: Store): boolean {
  return GAME_PREFIXES.every((prefix) => store.range({ prefix, limit: 1 }).length === 0);
}

export class LegacyImportError extends Error {
  override readonly name = "LegacyImportError";
  constructor(
    message: string,
    readonly report: ImportReport | undefined,
  ) {
    super(message);
  }
}

/**
 * First start (no player, account or game stored yet): if the old bot's JSON files are there, they are
 * imported, all or nothing. A file that cannot be mapped stops the start with the list of problems
 * (better than a bot that silently forgot half its players).
 */
async function importOldFiles(game: Game, dir: string, fs: FileSystem | undefined): Promise<ImportReport | undefined> {
  // @store/snapshot's reader: a damaged file is reported with its byte offset, line and column.
  const read = async (name: string): Promise<JsonValue | undefined> => {
    try {
      return await readJsonFile(join(dir, name), fs === undefined ? {} : { fs });
    } catch (error) {
      throw new LegacyImportError(`An old JSON file could not be read, so nothing was imported: ${(error as Error).message}`, undefined);
    }
  };
  const [players, tokens, gameStates] = [await read("players.json"), await read("tokens.json"), await read("gameStates.json")];
  if (players === undefined && tokens === undefined && gameStates === undefined) return undefined;
  const report = await game.importLegacy({ players: asDocument(players), tokens: asDocument(tokens), gameStates: asDocument(gameStates) });
  if (report.problems.length > 0) {
    const lines = report.problems.slice(0, 20).map((problem) => `  ${problem.file}.json ${problem.where}: ${problem.why}`);
    const more = report.problems.length > 20 ? `\n  ... and ${report.problems.length - 20} more` : "";
    throw new LegacyImportError(
      `The old JSON files in ${dir} could not be imported (nothing was written):\n${lines.join("\n")}${more}\nFix or remove them, then start again.`,
      report,
    );
  }
  return report;
}

/** A parsed document as the importer takes it; a bare number or string goes on as JSON text, for it to report. */
function asDocument(value: JsonValue | undefined): LegacySource {
  if (value === undefined) return undefined;
  return typeof value === "object" && value !== null ? value : JSON.stringify(value);
}
