import type { AdapterSpec } from "./adapter.js";

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
}

export interface RunContext {
  /** An empty folder for this run only. */
  readonly dir: string;
  /** A folder for this workload and adapter that survives across runs (datasets built once). */
  readonly keepDir: string;
  readonly sizes: Sizes;
}

export interface Workload {
  readonly name: string;
  readonly title: string;
  readonly columns: readonly Column[];
  /** The metric ratios are computed on, and whether more of it is better. */
  readonly headline: { readonly key: string; readonly better: "higher" | "lower" };
  /** The disk-limit adapter this workload compares against, if any. */
  readonly limit: string | null;
  appliesTo(spec: AdapterSpec): boolean;
  run(spec: AdapterSpec, context: RunContext): Promise<Metrics>;
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
  stallKeys: 2_000,
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
  stallKeys: 100_000,
};
