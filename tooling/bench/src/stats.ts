/** Order statistics for benchmark samples. Inputs are never mutated. */

function assertSamples(values: readonly number[]): void {
  if (values.length === 0) throw new TypeError("expected at least one sample, got an empty list");
  for (const value of values) {
    if (!Number.isFinite(value)) throw new TypeError(`expected finite samples, got ${String(value)}`);
  }
}

/** The middle value; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  assertSamples(values);
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle]!;
  return (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Nearest-rank percentile (`p` in 0..100): the smallest sample such that at least p% of the samples
 * are at or below it. Always one of the samples, so a p99 is a latency some set really saw.
 */
export function percentile(values: readonly number[], p: number): number {
  assertSamples(values);
  if (!(p >= 0 && p <= 100)) throw new TypeError(`percentile must be within 0..100, got ${String(p)}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface LatencySummary {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  return {
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    maxMs: percentile(latenciesMs, 100),
  };
}

/** Median of each metric over runs; a metric missing (null) in any run is null. */
export function medianMetrics(runs: readonly Readonly<Record<string, number | null>>[]): Record<string, number | null> {
  const result: Record<string, number | null> = {};
  const keys = new Set(runs.flatMap((run) => Object.keys(run)));
  for (const key of keys) {
    const values = runs.map((run) => run[key]);
    const known = values.filter((value): value is number => typeof value === "number");
    result[key] = known.length === values.length && known.length > 0 ? median(known) : null;
  }
  return result;
}
