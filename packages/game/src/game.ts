import type { KeyValueStore } from "@store/kv";
import { audit, type AuditReport } from "./audit.js";
import { GameError } from "./errors.js";
import { Follower } from "./follower.js";
import { createGames, type Games } from "./games.js";
import { Leaderboard, type LeaderboardView } from "./leaderboard.js";
import { attachContext } from "./internal.js";
import { importLegacy, type ImportReport, type LegacyInput } from "./legacy/import.js";
import { rollBackInterruptedImport } from "./legacy/rollback.js";
import { resolveOptions, type GameOptions, type ResolvedOptions } from "./options.js";
import { createPlayers, type Players } from "./players.js";
import { ExpiryIndex, Sweeper, type SweepReport } from "./sweeper.js";
import { createTokens, type Tokens } from "./tokens.js";
import type { Context } from "./tx.js";

export interface Game {
  readonly players: Players;
  readonly tokens: Tokens;
  readonly games: Games;
  /** Players by overall score, from memory (built at start, kept by the change subscription). */
  readonly leaderboard: LeaderboardView;
  /** The options in force, defaults filled in. */
  readonly options: Readonly<ResolvedOptions>;
  /** Checks conservation, balances and schemas at one consistent seq. */
  audit(): Promise<AuditReport>;
  /** Refunds every game past its expiry and removes old idempotency records now (the timer does it every `sweepIntervalMs`). */
  sweep(): Promise<SweepReport>;
  /** Imports the old design's three JSON documents, all or nothing. */
  importLegacy(input: LegacyInput): Promise<ImportReport>;
  /** Resolves once the in-memory indexes (leaderboard, expiry) include every write committed so far. */
  catchUp(): Promise<void>;
  /** Stops the sweeper and the change subscription. Does not close the store. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the game layer on any `KeyValueStore`: rolls back a legacy import that a crash interrupted,
 * builds the leaderboard and expiry indexes (a scan, then the change subscription), refunds the
 * games that expired while no process ran, and starts the sweeper. The store stays the caller's:
 * `close()` leaves it open.
 */
export async function createGame(kv: KeyValueStore, options: GameOptions = {}): Promise<Game> {
  if (typeof kv !== "object" || (kv as unknown) === null || typeof kv.batch !== "function" || typeof kv.subscribe !== "function") {
    throw new TypeError("createGame() takes a KeyValueStore (from @store/kv: the log's toKeyValueStore(store), createMemoryStore(), ...).");
  }
  const resolved = resolveOptions(options);
  let closing: Promise<void> | undefined;
  const context: Context = {
    kv,
    options: resolved,
    assertOpen: () => {
      if (closing !== undefined) throw new GameError("GAME_CLOSED", "The game layer was closed; create it again with createGame().");
    },
  };
  await rollBackInterruptedImport(kv);
  const leaderboard = new Leaderboard();
  const expiry = new ExpiryIndex();
  const follower = await Follower.start(kv, [leaderboard, expiry], { pageSize: resolved.scanPageSize, onError: resolved.onError });
  const sweeper = new Sweeper(context, expiry);
  try {
    await sweeper.sweep();
  } catch (error) {
    await follower.close();
    throw error;
  }
  sweeper.start();
  const game: Game = {
    players: createPlayers(context),
    leaderboard: {
      top: (n, offset) => leaderboard.top(n, offset),
      rank: (id) => leaderboard.rank(id),
      get size() {
        return leaderboard.size;
      },
    },
    tokens: createTokens(context),
    games: createGames(context),
    options: resolved,
    audit: () => {
      context.assertOpen();
      return audit(kv, resolved.scanPageSize);
    },
    sweep: () => {
      context.assertOpen();
      return sweeper.sweep();
    },
    importLegacy: async (input) => {
      context.assertOpen();
      const report = await importLegacy(context, input);
      await follower.catchUp();
      return report;
    },
    catchUp: () => {
      context.assertOpen();
      return follower.catchUp();
    },
    close: () => {
      closing ??= (async () => {
        await sweeper.stop();
        await follower.close();
      })();
      return closing;
    },
  };
  attachContext(game, context);
  return game;
}
