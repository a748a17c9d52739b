import type { Game } from "@store/game";
import type { Store } from "@store/log";
import { ConflictCountingStore } from "./counting-store.js";
import type { GameSystem, OpenTiming, PlayerSeed, RankedPlayer, Totals } from "./system.js";

type Modules = {
  readonly openStore: typeof import("@store/log").openStore;
  readonly toKeyValueStore: typeof import("@store/log").toKeyValueStore;
  readonly createGame: typeof import("@store/game").createGame;
};


/**
 * `@store/game` on `@store/log` (`sync: "always"`), composed as the example bot does it: the log,
 * its KeyValueStore adapter, `createGame` with its defaults (the expiry sweeper runs).
 */
class StoreGame implements GameSystem {
  readonly #modules: Modules;
  #store: Store | undefined;
  #game: Game | undefined;
  #kv: ConflictCountingStore | undefined;

  constructor(modules: Modules) {
    this.#modules = modules;
  }

  async open(dir: string): Promise<OpenTiming> {
    const start = performance.now();
    const store = await this.#modules.openStore(dir, { sync: "always" });
    const storeOpenMs = performance.now() - start;
    this.#store = store;
    this.#kv = new ConflictCountingStore(this.#modules.toKeyValueStore(store));
    this.#game = await this.#modules.createGame(this.#kv);
    return { storeOpenMs };
  }

  async load(players: readonly PlayerSeed[]): Promise<void> {
    const report = await this.#opened().importLegacy({
      players: Object.fromEntries(players.map((player) => [player.id, legacyPlayer(player)])),
      tokens: Object.fromEntries(players.map((player) => [player.id, { balance: player.balance, lastDaily: null }])),
    });
    if (!report.imported || report.problems.length > 0) {
      throw new Error(`@store/game refused the import of ${players.length} players: ${JSON.stringify(report.problems.slice(0, 3))}`);
    }
  }

  async transfer(from: string, to: string, amount: number, idempotencyKey: string): Promise<void> {
    await this.#opened().tokens.transfer(from, to, amount, { idempotencyKey });
  }

  async createCoinFlip(gameId: string, players: readonly [string, string], stake: number, idempotencyKey: string): Promise<void> {
    const [a, b] = players;
    await this.#opened().games.create(
      { id: gameId, type: "coinflip", channelId: "bench", players: [a, b], stakes: { [a]: stake, [b]: stake } },
      { idempotencyKey },
    );
  }

  async settleCoinFlip(gameId: string, winner: string, loser: string, stake: number, idempotencyKey: string): Promise<void> {
    // The winner takes the pot: both stakes.
    await this.#opened().games.settle(
      gameId,
      { results: { [winner]: "win", [loser]: "loss" }, payouts: { [winner]: 2 * stake } },
      { idempotencyKey },
    );
  }

  top(n: number): readonly RankedPlayer[] {
    return this.#opened().leaderboard.top(n);
  }

  rank(id: string): number | undefined {
    return this.#opened().leaderboard.rank(id)?.rank;
  }

  async totals(): Promise<Totals> {
    const report = await this.#opened().audit();
    return { players: report.players, tokens: report.balances + report.escrow, openGames: report.games, audited: report.ok };
  }

  conflicts(): number {
    if (this.#kv === undefined) throw new Error("the @store/game system is not open");
    return this.#kv.conflicts;
  }

  flushes(): number {
    return this.#openedStore().stats().flushes;
  }

  async compact(): Promise<void> {
    await this.#openedStore().compact();
  }

  async close(): Promise<void> {
    await this.#game?.close();
    await this.#store?.close();
    this.#game = undefined;
    this.#kv = undefined;
    this.#store = undefined;
  }

  #openedStore(): Store {
    if (this.#store === undefined) throw new Error("the @store/game system is not open");
    return this.#store;
  }

  #opened(): Game {
    if (this.#game === undefined) throw new Error("the @store/game system is not open");
    return this.#game;
  }
}

/** The old design's player record, as `importLegacy` reads it. */
function legacyPlayer(player: PlayerSeed): Record<string, unknown> {
  const games = player.wins + player.losses + player.draws;
  return {
    id: player.id,
    name: player.name,
    createdAt: player.createdAtMs,
    stats: { games, wins: player.wins, losses: player.losses, draws: player.draws, score: player.score, streak: 0, bestStreak: 0, byType: {} },
  };
}

/** Loaded lazily so that a run without a built `@store/game` still measures everything else. */
export async function createStoreGame(): Promise<GameSystem> {
  const [{ openStore, toKeyValueStore }, { createGame }] = await Promise.all([import("@store/log"), import("@store/game")]);
  return new StoreGame({ openStore, toKeyValueStore, createGame });
}
