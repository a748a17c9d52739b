import type { JsonValue } from "@store/fs";
import type { FollowHandler } from "./follower.js";
import { PREFIX } from "./keys.js";
import { OrderIndex, type Ranked } from "./order-index.js";
import { PLAYER } from "./records.js";
import { decode } from "./schema.js";

export interface LeaderboardEntry {
  /** 1 + the number of players with a higher score (tied players share a rank). */
  readonly rank: number;
  readonly id: string;
  readonly name: string;
  readonly score: number;
}

interface IndexedPlayer extends Ranked {
  readonly name: string;
}

/** The leaderboard as `game.leaderboard` shows it: synchronous reads from memory. */
export interface LeaderboardView {
  /** Up to `n` (default 10, at most 1000) players from `offset` (0-based), highest score first, ties by id. */
  top(n?: number, offset?: number): LeaderboardEntry[];
  /** The player's rank and score, or undefined for a player with no record. */
  rank(id: string): LeaderboardEntry | undefined;
  /** Players in the index. */
  readonly size: number;
}

/** Most entries one `top()` call returns. */
export const LEADERBOARD_PAGE_MAX = 1000;

/**
 * Every player's overall score in an order-statistics index, kept by the follower (a scan at start,
 * then the change subscription). Reads are synchronous and answer from memory: they include every
 * write the subscription has delivered (`game.catchUp()` waits for the latest).
 */
export class Leaderboard implements FollowHandler, LeaderboardView {
  readonly prefix = PREFIX.players;
  #index = new OrderIndex<IndexedPlayer>();
  #byId = new Map<string, IndexedPlayer>();
  /**
   * While the follower builds (at start, and after a subscription ended), the players collect here
   * and reads keep answering from the previous index; `ready()` sorts them into the new one.
   */
  #building: Map<string, IndexedPlayer> | undefined = new Map();

  get size(): number {
    return this.#index.size;
  }

  /** Up to `n` players from `offset` (0-based), highest score first, ties by id. */
  top(n = 10, offset = 0): LeaderboardEntry[] {
    if (!Number.isSafeInteger(n) || n < 0 || n > LEADERBOARD_PAGE_MAX) throw new TypeError(`top(n): n must be an integer from 0 to ${LEADERBOARD_PAGE_MAX}, got ${String(n)}.`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TypeError(`top(n, offset): offset must be an integer from 0, got ${String(offset)}.`);
    const page = this.#index.slice(offset, n);
    const result: LeaderboardEntry[] = [];
    let previous: LeaderboardEntry | undefined;
    for (const player of page) {
      const rank = previous !== undefined && previous.score === player.score ? previous.rank : this.#index.countAbove(player.score) + 1;
      previous = { rank, id: player.id, name: player.name, score: player.score };
      result.push(previous);
    }
    return result;
  }

  /** The player's rank and score, or undefined for a player with no record. */
  rank(id: string): LeaderboardEntry | undefined {
    const player = this.#byId.get(id);
    if (player === undefined) return undefined;
    return { rank: this.#index.countAbove(player.score) + 1, id, name: player.name, score: player.score };
  }

  apply(key: string, value: JsonValue | undefined): void {
    const id = key.slice(this.prefix.length);
    const player = value === undefined ? undefined : indexed(id, key, value);
    const byId = this.#building ?? this.#byId;
    if (this.#building === undefined) {
      const old = byId.get(id);
      if (old !== undefined) this.#index.remove(old);
      if (player !== undefined) this.#index.insert(player);
    }
    if (player === undefined) byId.delete(id);
    else byId.set(id, player);
  }

  ready(): void {
    if (this.#building === undefined) return;
    this.#byId = this.#building;
    this.#index = OrderIndex.from(this.#byId.values());
    this.#building = undefined;
  }

  reset(): void {
    this.#building = new Map();
  }
}

/**
 * The fast path reads the two fields of a current-version record without a full schema check (a
 * start-up with 100k players would spend most of its time in zod otherwise); anything else goes
 * through the schema, with migration. A record that fails it is left out (`audit()` lists it).
 */
function indexed(id: string, key: string, value: JsonValue): IndexedPlayer | undefined {
  if (typeof value === "object" && value !== null && !Array.isArray(value) && value.v === PLAYER.current) {
    const { name, stats } = value;
    const score = typeof stats === "object" && stats !== null && !Array.isArray(stats) ? stats.score : undefined;
    if (value.id === id && typeof name === "string" && Number.isSafeInteger(score)) return { id, name, score: score as number };
  }
  try {
    const player = decode(PLAYER, key, value);
    return player.id === id ? { id, name: player.name, score: player.stats.score } : undefined;
  } catch {
    return undefined;
  }
}
