import type { SystemSpec } from "./adapter.js";
import type { LoadReport } from "./load.js";
import type { AdapterResult, AdapterStatus } from "./runner.js";
import type { TargetCheck } from "./targets.js";
import type { Comparison, Pair, Workload } from "./workload.js";

export const oursName = "@store/log always";

export interface Ratio {
  readonly against: string;
  /** ours ÷ theirs on the workload's headline metric; null when either side has no number. */
  readonly value: number | null;
}

/** A further metric's ratio to the best durable peer (`comparisons` of the workload). */
export interface ComparisonRatio extends Ratio {
  readonly key: string;
  readonly better: "higher" | "lower";
}

export interface WorkloadReport {
  readonly name: string;
  readonly title: string;
  /** Display names of systems in this workload's table (the game suite's); absent: their own names. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly headline: Workload["headline"];
  readonly columns: Workload["columns"];
  readonly results: readonly AdapterResult[];
  readonly vsBestDurablePeer: Ratio | null;
  readonly vsDiskLimit: Ratio | null;
  /** Further metrics against the same peer. */
  readonly comparisons?: readonly ComparisonRatio[];
  /** Ratios between two named systems (`pairs` of the workload). */
  readonly pairs?: readonly PairRatio[];
  /** The machine's load while this workload ran (absent: not recorded). */
  readonly load?: LoadReport;
}

export interface PairRatio extends Pair {
  /** system ÷ against on `key`; null when either side has no number. */
  readonly value: number | null;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly command: string;
  readonly environment: Record<string, string | number | boolean>;
  readonly adapters: readonly { name: string; role: string; durability: string; durable: boolean; unavailable: string | null }[];
  readonly workloads: readonly WorkloadReport[];
  readonly targets: readonly TargetCheck[];
  /** The machine's load over the whole run (absent: not recorded). */
  readonly load?: LoadReport;
}

function headlineOf(results: readonly AdapterResult[], name: string, key: string): number | null {
  const result = results.find((candidate) => candidate.adapter === name);
  return result?.status === "ok" ? (result.median[key] ?? null) : null;
}

function ratio(results: readonly AdapterResult[], workload: Workload, against: string): Ratio {
  const ours = headlineOf(results, oursName, workload.headline.key);
  const theirs = headlineOf(results, against, workload.headline.key);
  return { against, value: ours !== null && theirs ? ours / theirs : null };
}

/** The durable peer with the best headline number (highest rate, or lowest time). */
function bestDurablePeer(results: readonly AdapterResult[], workload: Workload, specs: readonly SystemSpec[]): string | null {
  let best: { name: string; value: number } | null = null;
  for (const spec of specs) {
    if (spec.role !== "peer" || !spec.durable) continue;
    const value = headlineOf(results, spec.name, workload.headline.key);
    if (value === null) continue;
    const better = workload.headline.better === "higher" ? value > (best?.value ?? -Infinity) : value < (best?.value ?? Infinity);
    if (better) best = { name: spec.name, value };
  }
  return best?.name ?? null;
}

function comparison(results: readonly AdapterResult[], against: string, spec: Comparison): ComparisonRatio {
  const ours = headlineOf(results, oursName, spec.key);
  const theirs = headlineOf(results, against, spec.againstKey ?? spec.key);
  return { key: spec.key, better: spec.better, against, value: ours !== null && theirs ? ours / theirs : null };
}

export function workloadReport(workload: Workload, results: readonly AdapterResult[], specs: readonly SystemSpec[]): WorkloadReport {
  const peer = bestDurablePeer(results, workload, specs);
  return {
    name: workload.name,
    title: workload.title,
    ...(workload.labels === undefined ? {} : { labels: workload.labels }),
    headline: workload.headline,
    columns: workload.columns,
    results,
    vsBestDurablePeer: peer === null ? null : ratio(results, workload, peer),
    vsDiskLimit: workload.limit === null ? null : ratio(results, workload, workload.limit),
    comparisons: peer === null ? [] : (workload.comparisons ?? []).map((spec) => comparison(results, peer, spec)),
    pairs: (workload.pairs ?? []).map((pair) => {
      const ours = headlineOf(results, pair.system, pair.key);
      const theirs = headlineOf(results, pair.against, pair.key);
      return { ...pair, value: ours !== null && theirs ? ours / theirs : null };
    }),
  };
}

export function adapterSummaries(statuses: readonly AdapterStatus[]): BenchReport["adapters"] {
  return statuses.map(({ spec, unavailable }) => ({
    name: spec.name,
    role: spec.role,
    durability: spec.durability,
    durable: spec.durable,
    unavailable,
  }));
}
