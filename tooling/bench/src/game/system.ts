import type { PlayOptions, PlayOutcome } from "./play.js";

/**
 * The game suite drives `@store/game` and its SQL equivalent through this one shape, so every
 * game workload treats them alike. Operations resolve once their effect is durable and reject
 * with an error carrying a `code` when the domain refuses them.
 */
export interface GameSystem {
  /** Opens (creating if needed) the data in `dir` and builds whatever the system needs to serve. */
  open(dir: string): Promise<OpenTiming>;
  /** Loads players and their balances in bulk (untimed): the one-off import a bot starts with. */
  load(players: readonly PlayerSeed[]): Promise<void>;
  /** Moves `amount` tokens, refused if `from` is short. */
  transfer(from: string, to: string, amount: number, idempotencyKey: string): Promise<void>;
  /** Creates a coin flip between two players, escrowing `stake` from each. */
  createCoinFlip(gameId: string, players: readonly [string, string], stake: number, idempotencyKey: string): Promise<void>;
  /** Pays the pot (both stakes) to the winner, adds a result to both players' stats and removes the game. */
  settleCoinFlip(gameId: string, winner: string, loser: string, stake: number, idempotencyKey: string): Promise<void>;
  /** The `n` best players, highest score first: the call the leaderboard workload times. */
  top(n: number): readonly RankedPlayer[];
  /** 1 + the number of players with a higher score; undefined for an unknown player. */
  rank(id: string): number | undefined;
  /** What the conservation check after a run needs. */
  totals(): Promise<Totals>;
  /** Writes refused so far because another write won the race (each one retried); absent: the system never races. */
  conflicts?(): number;
  /** True when the data lives outside the folder given to `open` (a database server's): no file growth to count. */
  readonly dataElsewhere?: boolean;
  /** fsync/fdatasync calls issued so far, when the system counts its own (null: it cannot). */
  flushes?(): number | null;
  /**
   * What the process that writes has done so far, when that is not this one (the socket's server
   * process): its fdatasync calls and bytes sent to storage.
   */
  writerCounters?(): Promise<WriterCounters>;
  /**
   * Plays `options` unmeasured in the processes that will play the next `play` (the socket row's
   * client processes, started here and kept waiting); absent: the workload plays the warm-up in
   * this process, where it then measures.
   */
  warmUp?(options: PlayOptions): Promise<void>;
  /**
   * Runs the players itself, elsewhere (in client processes through the socket); absent: the
   * workload's loops call the operations above in this process.
   */
  play?(options: PlayOptions): Promise<PlayOutcome>;
  /** Rewrites the data to its live state (ours only). */
  compact?(): Promise<void>;
  close(): Promise<void>;
}

export interface WriterCounters {
  readonly flushes: number | null;
  readonly writeBytes: number | null;
}

export interface OpenTiming {
  /** Time until the underlying store was open, before any index of the game layer was built. */
  readonly storeOpenMs: number;
}

export interface RankedPlayer {
  readonly id: string;
  readonly score: number;
}

export interface Totals {
  readonly players: number;
  /** Tokens in balances plus tokens escrowed in open games. */
  readonly tokens: number;
  readonly openGames: number;
  /** The system's own proof of conservation, where it has one (`audit()`); null otherwise. */
  readonly audited: boolean | null;
}

export interface PlayerSeed {
  readonly id: string;
  readonly name: string;
  readonly createdAtMs: number;
  readonly wins: number;
  readonly losses: number;
  readonly draws: number;
  readonly score: number;
  readonly balance: number;
}

/** Player ids as a Discord bot has them: 18-digit snowflakes. */
export function playerId(index: number): string {
  return String(300_000_000_000_000_000n + BigInt(index) * 7_919n);
}
