import type { WorkloadReport } from "./report.js";
import { oursName } from "./report.js";

/** One of the project's performance targets for `@store/log always`, checked against one benchmark run. */
export interface TargetCheck {
  readonly target: string;
  /** Measured ratio or value; null when a side of it did not run. */
  readonly value: number | null;
  readonly limit: number;
  readonly met: boolean | null;
}

interface TargetSpec {
  readonly target: string;
  readonly workload: string;
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
    const ours = medianOf(workload, oursName, spec.metric);
    const theirs = spec.against === null ? 1 : medianOf(workload, spec.against, spec.metric);
    const value = ours !== null && theirs ? ours / theirs : null;
    const met = value === null ? null : spec.atLeast ? value >= spec.limit : value <= spec.limit;
    checks.push({ target: spec.target, value, limit: spec.limit, met });
  }
  return checks;
}
