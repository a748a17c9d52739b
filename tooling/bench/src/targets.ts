import type { WorkloadReport } from "./report.js";
import { oursName } from "./report.js";
import { remoteGame } from "./game/systems.js";

/** One of the project's performance targets for `@store/log always`, checked against one benchmark run. */
export interface TargetCheck {
  readonly target: string;
  /** Measured ratio or value; null when a side of it did not run. */
  readonly value: number | null;
  readonly limit: number;
  readonly met: boolean | null;
  /**
   * How far the measure beats its limit, as a factor: value ÷ limit for an "at least" target,
   * limit ÷ value for an "at most" one. 1.5 = met with 50% to spare; 0.5 = missed by 2x.
   */
  readonly margin: number | null;
}

interface TargetSpec {
  readonly target: string;
  readonly workload: string;
  /** The system measured (default `@store/log always`, or @store/game on it in the game suite). */
  readonly system?: string;
  readonly metric: string;
  /** Compare ours to this system's same metric (a ratio), or to the limit itself when null. */
  readonly against: string | null;
  readonly atLeast: boolean;
  readonly limit: number;
}

const targetSpecs: readonly TargetSpec[] = [
  { target: "concurrent sets/s >= lmdb", workload: "concurrent", metric: "setsPerSec", against: "lmdb", atLeast: true, limit: 1 },
  {
    target: "concurrent sets/s >= 0.9x disk group commit",
    workload: "concurrent",
    metric: "setsPerSec",
    against: "disk: group commit",
    atLeast: true,
    limit: 0.9,
  },
  { target: "concurrent flushes/set < 0.05", workload: "concurrent", metric: "flushesPerSet", against: null, atLeast: false, limit: 0.05 },
  {
    target: "sequential sets/s >= disk append+fdatasync",
    workload: "sequential",
    metric: "setsPerSec",
    against: "disk: append+fdatasync",
    atLeast: true,
    limit: 1,
  },
  { target: "sets/s with 10k keys >= 0.9x with 1k", workload: "scale", metric: "largeOverSmall", against: null, atLeast: true, limit: 0.9 },
  { target: "cold start, 100k keys compacted: ~100 ms", workload: "cold-start", metric: "compactedMs", against: null, atLeast: false, limit: 100 },
  { target: "cold start, 500k records: < 500 ms", workload: "cold-start", metric: "openMs", against: null, atLeast: false, limit: 500 },
  { target: "compaction stalls a writer <= 5 ms", workload: "compaction-stall", metric: "maxStallMs", against: null, atLeast: false, limit: 5 },
  {
    target: "new keys after a scan() <= 1.5x the time before it",
    workload: "new-keys",
    metric: "afterOverBefore",
    against: null,
    atLeast: false,
    limit: 1.5,
  },
  {
    target: "game: @store/game ops/s >= 3x better-sqlite3 (64 players)",
    workload: "game-ops",
    metric: "opsPerSec",
    against: "better-sqlite3",
    atLeast: true,
    limit: 3,
  },
  {
    target: "game: through the socket from 4 processes >= 0.5x in one process (ops/s)",
    workload: "game-ops",
    system: remoteGame.name,
    metric: "opsPerSec",
    against: oursName,
    atLeast: true,
    limit: 0.5,
  },
  { target: "game: top 10 of 100k players, p99 < 0.1 ms", workload: "game-leaderboard", metric: "topP99Ms", against: null, atLeast: false, limit: 0.1 },
  { target: "game: rank among 100k players, p99 < 0.1 ms", workload: "game-leaderboard", metric: "rankP99Ms", against: null, atLeast: false, limit: 0.1 },
  { target: "game: start-up, 100k players as written < 400 ms", workload: "game-start", metric: "readyMs", against: null, atLeast: false, limit: 400 },
  {
    target: "game: start-up, 100k players compacted < 400 ms",
    workload: "game-start",
    metric: "compactedReadyMs",
    against: null,
    atLeast: false,
    limit: 400,
  },
];

function medianOf(workload: WorkloadReport | undefined, adapter: string, metric: string): number | null {
  const result = workload?.results.find((candidate) => candidate.adapter === adapter);
  return result?.status === "ok" ? (result.median[metric] ?? null) : null;
}

export function checkTargets(workloads: readonly WorkloadReport[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const spec of targetSpecs) {
    const workload = workloads.find((candidate) => candidate.name === spec.workload);
    if (workload === undefined) continue;
    const ours = medianOf(workload, spec.system ?? oursName, spec.metric);
    const theirs = spec.against === null ? 1 : medianOf(workload, spec.against, spec.metric);
    const value = ours !== null && theirs ? ours / theirs : null;
    const met = value === null ? null : spec.atLeast ? value >= spec.limit : value <= spec.limit;
    const margin = value === null ? null : spec.atLeast ? value / spec.limit : value > 0 ? spec.limit / value : null;
    checks.push({ target: spec.target, value, limit: spec.limit, met, margin });
  }
  return checks;
}
