import type { SystemSpec } from "./adapter.js";

/** One run's numbers; null where a number does not apply or could not be measured. */
export type Metrics = Record<string, number | null>;

export interface Column {
  readonly key: string;
  readonly label: string;
  readonly digits: number;
}

export interface Sizes {
  readonly sequentialSetsMax: number;
  readonly concurrentSets: number;
  readonly concurrentWriters: number;
  /** A run stops at its set count or after this long, whichever comes first (the old design is O(data)). */
  readonly runTimeMaxMs: number;
  readonly scaleKeys: readonly [small: number, large: number];
  readonly scaleSetsMax: number;
  readonly coldStartKeys: number;
  readonly coldStartUpdates: number;
  readonly stallKeys: number;
  /** Keys of the two compacted stores the memory workload opens. */
  readonly memoryKeys: readonly [small: number, large: number];
  /** Keys stored before the new-keys probe, and the concurrent sets of new keys it times before and after a scan(). */
  readonly newKeysStored: number;
  readonly newKeysSets: number;
  /** The game suite: concurrent players and the operations they perform in all. */
  readonly gamePlayers: number;
  readonly gameOps: number;
  /** Operations each game-ops system plays unmeasured first, in the processes that then measure. */
  readonly gameWarmupOps: number;
  /** Players in the leaderboard and start-up dataset, and the operations played on it after its import. */
  readonly leaderboardPlayers: number;
  readonly startHistoryOps: number;
  /** Timed calls of top(10), and of rank(id). */
  readonly leaderboardCalls: number;
}

export interface RunContext {
  /** An empty folder for this run only. */
  readonly dir: string;
  /** A folder for this workload and adapter that survives across runs (datasets built once). */
  readonly keepDir: string;
  /** A folder that lasts the whole bench run, for datasets that several workloads share. */
  readonly datasetsDir: string;
  readonly sizes: Sizes;
}

/** A metric compared between ours and the best durable peer besides the headline. */
export interface Comparison {
  readonly key: string;
  readonly better: "higher" | "lower";
  /** The peer's metric to compare with, when it has another name there (default: `key`). */
  readonly againstKey?: string;
}

/** A ratio between two named systems on one metric, printed under the table (the socket row against one process). */
export interface Pair {
  readonly system: string;
  readonly against: string;
  readonly key: string;
  readonly better: "higher" | "lower";
}

export interface Workload {
  readonly name: string;
  /** A group of workloads `--only` can name at once (the game suite). */
  readonly suite?: string;
  readonly title: string;
  /** How this workload's table names a system, when it runs something else on it (the game suite). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly columns: readonly Column[];
  /** The metric ratios are computed on, and whether more of it is better. */
  readonly headline: { readonly key: string; readonly better: "higher" | "lower" };
  /** Further metrics given as a ratio to the best durable peer under the table. */
  readonly comparisons?: readonly Comparison[];
  /** Further ratios between two of its systems. */
  readonly pairs?: readonly Pair[];
  /** The disk-limit adapter this workload compares against, if any. */
  readonly limit: string | null;
  appliesTo(spec: SystemSpec): boolean;
  run(spec: SystemSpec, context: RunContext): Promise<Metrics>;
}

export const quickSizes: Sizes = {
  sequentialSetsMax: 50,
  concurrentSets: 500,
  concurrentWriters: 64,
  runTimeMaxMs: 300,
  scaleKeys: [100, 1_000],
  scaleSetsMax: 30,
  coldStartKeys: 1_000,
  coldStartUpdates: 4_000,
  memoryKeys: [1_000, 10_000],
  stallKeys: 2_000,
  newKeysStored: 20_000,
  newKeysSets: 2_000,
  gamePlayers: 64,
  gameOps: 400,
  gameWarmupOps: 100,
  leaderboardPlayers: 2_000,
  startHistoryOps: 200,
  leaderboardCalls: 200,
};

export const fullSizes: Sizes = {
  sequentialSetsMax: 3_000,
  concurrentSets: 20_000,
  concurrentWriters: 64,
  runTimeMaxMs: 2_500,
  scaleKeys: [1_000, 10_000],
  scaleSetsMax: 2_000,
  coldStartKeys: 100_000,
  coldStartUpdates: 400_000,
  memoryKeys: [100_000, 1_000_000],
  stallKeys: 100_000,
  newKeysStored: 1_000_000,
  newKeysSets: 20_000,
  gamePlayers: 64,
  gameOps: 10_000,
  gameWarmupOps: 2_000,
  leaderboardPlayers: 100_000,
  startHistoryOps: 10_000,
  leaderboardCalls: 2_000,
};
