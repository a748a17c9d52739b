import type { createGame as CreateGame, Game } from "@store/game";
import type { KeyValueStore } from "@store/kv";
import { ConflictCountingStore } from "./counting-store.js";

type GameOptions = NonNullable<Parameters<typeof CreateGame>[1]>;
import type { GameSystem, OpenTiming, PlayerSeed, RankedPlayer, Totals } from "./system.js";

/** A KeyValueStore opened for one game system: the log, PostgreSQL, or a socket client. */
export interface OpenedBackend {
  readonly kv: KeyValueStore;
  /** fdatasync calls issued so far, when the backend counts its own (the log in this process). */
  readonly flushes?: () => number;
  /** Rewrites the data to its live state (the log only). */
  readonly compact?: () => Promise<void>;
  /** Closes the KeyValueStore and whatever the backend opened with it (the game layer closes neither). */
  readonly close: () => Promise<void>;
}

export interface Backend {
  open(dir: string): Promise<OpenedBackend>;
  /** True when what `open` returns can `compact()`: the game system then offers it. */
  readonly compacts: boolean;
  /** True when the data lives outside the folder given to `open` (a database server's). */
  readonly dataElsewhere?: boolean;
}

/**
 * `@store/game` on any KeyValueStore, composed as the example bot does it: `createGame(kv)` with
 * its defaults (the expiry sweeper runs). Only the backend differs between the game suite's rows.
 */
export class KvGame implements GameSystem {
  readonly #backend: Backend;
  readonly #createGame: typeof CreateGame;
  readonly #gameOptions: GameOptions;
  #opened: OpenedBackend | undefined;
  #game: Game | undefined;
  #kv: ConflictCountingStore | undefined;
  readonly compact?: () => Promise<void>;
  readonly dataElsewhere: boolean;

  /** `gameOptions`: createGame's options; its defaults where absent. */
  constructor(backend: Backend, createGame: typeof CreateGame, gameOptions: GameOptions = {}) {
    this.#backend = backend;
    this.#gameOptions = gameOptions;
    this.dataElsewhere = backend.dataElsewhere === true;
    this.#createGame = createGame;
    if (backend.compacts) {
      this.compact = async () => {
        const compact = this.#backendOpened().compact;
        if (compact === undefined) throw new Error("this backend cannot compact");
        await compact();
      };
    }
  }

  async open(dir: string): Promise<OpenTiming> {
    const start = performance.now();
    const opened = await this.#backend.open(dir);
    const storeOpenMs = performance.now() - start;
    this.#opened = opened;
    this.#kv = new ConflictCountingStore(opened.kv);
    this.#game = await this.#createGame(this.#kv, this.#gameOptions);
    return { storeOpenMs };
  }

  async load(players: readonly PlayerSeed[]): Promise<void> {
    const report = await this.#gameOpened().importLegacy({
      players: Object.fromEntries(players.map((player) => [player.id, legacyPlayer(player)])),
      tokens: Object.fromEntries(players.map((player) => [player.id, { balance: player.balance, lastDaily: null }])),
    });
    if (!report.imported || report.problems.length > 0) {
      throw new Error(`@store/game refused the import of ${players.length} players: ${JSON.stringify(report.problems.slice(0, 3))}`);
    }
  }

  async transfer(from: string, to: string, amount: number, idempotencyKey: string): Promise<void> {
    await this.#gameOpened().tokens.transfer(from, to, amount, { idempotencyKey });
  }

  async createCoinFlip(gameId: string, players: readonly [string, string], stake: number, idempotencyKey: string): Promise<void> {
    const [a, b] = players;
    await this.#gameOpened().games.create(
      { id: gameId, type: "coinflip", channelId: "bench", players: [a, b], stakes: { [a]: stake, [b]: stake } },
      { idempotencyKey },
    );
  }

  async settleCoinFlip(gameId: string, winner: string, loser: string, stake: number, idempotencyKey: string): Promise<void> {
    // The winner takes the pot: both stakes.
    await this.#gameOpened().games.settle(
      gameId,
      { results: { [winner]: "win", [loser]: "loss" }, payouts: { [winner]: 2 * stake } },
      { idempotencyKey },
    );
  }

  top(n: number): readonly RankedPlayer[] {
    return this.#gameOpened().leaderboard.top(n);
  }

  rank(id: string): number | undefined {
    return this.#gameOpened().leaderboard.rank(id)?.rank;
  }

  async totals(): Promise<Totals> {
    const report = await this.#gameOpened().audit();
    return { players: report.players, tokens: report.balances + report.escrow, openGames: report.games, audited: report.ok };
  }

  conflicts(): number {
    if (this.#kv === undefined) throw new Error("the @store/game system is not open");
    return this.#kv.conflicts;
  }

  flushes(): number | null {
    return this.#backendOpened().flushes?.() ?? null;
  }

  async close(): Promise<void> {
    await this.#game?.close();
    await this.#opened?.close();
    this.#game = undefined;
    this.#kv = undefined;
    this.#opened = undefined;
  }

  #backendOpened(): OpenedBackend {
    if (this.#opened === undefined) throw new Error("the @store/game system is not open");
    return this.#opened;
  }

  #gameOpened(): Game {
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
