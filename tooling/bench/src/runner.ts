import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { isAdapterSpec, type SystemSpec } from "./adapter.js";
import type { Progress, Step } from "./progress.js";
import { medianMetrics } from "./stats.js";
import type { Metrics, Sizes, Workload } from "./workload.js";

export interface AdapterStatus {
  readonly spec: SystemSpec;
  /** Why the system cannot run here (its optional package did not install or load); null if it can. */
  readonly unavailable: string | null;
}

export type ResultStatus = "ok" | "unavailable" | "failed" | "not applicable";

export interface AdapterResult {
  readonly adapter: string;
  readonly status: ResultStatus;
  readonly reason: string | null;
  readonly runs: readonly Metrics[];
  readonly median: Metrics;
}

export interface RunOptions {
  readonly root: string;
  readonly runs: number;
  readonly sizes: Sizes;
  readonly log: (line: string) => void;
  /** Counts the steps of the whole benchmark; its line is logged as each step starts. */
  readonly progress: Progress;
  /** Called after each step (the bench samples the load average there). */
  readonly afterStep?: () => void;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Loads each system once; one whose package (or server) is missing is reported, never fatal. */
export async function checkAvailability(specs: readonly SystemSpec[]): Promise<AdapterStatus[]> {
  return Promise.all(
    specs.map(async (spec) => {
      try {
        if (isAdapterSpec(spec)) await spec.create();
        else await spec.check();
        return { spec, unavailable: null };
      } catch (error) {
        return { spec, unavailable: message(error).split("\n")[0] ?? "failed to load" };
      }
    }),
  );
}

function activeSystems(workload: Workload, statuses: readonly AdapterStatus[]): AdapterStatus[] {
  return statuses.filter((status) => status.unavailable === null && workload.appliesTo(status.spec));
}

/** Every step `runWorkload` will take for these workloads, in the order it takes them. */
export function planSteps(workloads: readonly Workload[], statuses: readonly AdapterStatus[], runs: number): Step[] {
  const steps: Step[] = [];
  for (const workload of workloads) {
    const active = activeSystems(workload, statuses);
    for (let run = 1; run <= runs; run++) {
      for (const { spec } of active) steps.push({ workload: workload.name, system: spec.name, run, runs });
    }
  }
  return steps;
}

/**
 * Runs `workload` `runs` times for every available system, interleaving systems within each run so
 * that a drift of the machine (another process, the disk's cache) spreads over all of them.
 */
export async function runWorkload(
  workload: Workload,
  statuses: readonly AdapterStatus[],
  options: RunOptions,
): Promise<AdapterResult[]> {
  const runs = new Map<string, Metrics[]>();
  const failures = new Map<string, string>();
  const active = activeSystems(workload, statuses);
  const workloadDir = join(options.root, workload.name);
  for (let run = 1; run <= options.runs; run++) {
    for (const { spec } of active) {
      if (failures.has(spec.name)) continue;
      const slug = spec.name.replace(/[^a-z0-9]+/gi, "-");
      const dir = join(workloadDir, slug, `run-${run}`);
      await mkdir(dir, { recursive: true });
      const step: Step = { workload: workload.name, system: spec.name, run, runs: options.runs };
      options.log(options.progress.start(step));
      try {
        const keepDir = join(workloadDir, slug, "kept");
        const metrics = await workload.run(spec, { dir, keepDir, datasetsDir: join(options.root, "datasets"), sizes: options.sizes });
        runs.set(spec.name, [...(runs.get(spec.name) ?? []), metrics]);
      } catch (error) {
        failures.set(spec.name, message(error));
        options.progress.dropRemaining(workload.name, spec.name);
        options.log(`${workload.name}: ${spec.name} failed: ${message(error)}`);
      } finally {
        await rm(dir, { recursive: true, force: true });
        options.progress.finish(step);
        options.afterStep?.();
      }
    }
  }
  await rm(workloadDir, { recursive: true, force: true });
  return statuses.map(({ spec, unavailable }) => resultFor(spec, unavailable, workload, runs, failures));
}

function resultFor(
  spec: SystemSpec,
  unavailable: string | null,
  workload: Workload,
  runs: ReadonlyMap<string, Metrics[]>,
  failures: ReadonlyMap<string, string>,
): AdapterResult {
  const base = { adapter: spec.name, runs: [], median: {} };
  if (!workload.appliesTo(spec)) return { ...base, status: "not applicable", reason: null };
  if (unavailable !== null) return { ...base, status: "unavailable", reason: unavailable };
  const failure = failures.get(spec.name);
  if (failure !== undefined) return { ...base, status: "failed", reason: failure };
  const done = runs.get(spec.name) ?? [];
  return { adapter: spec.name, status: "ok", reason: null, runs: done, median: medianMetrics(done) };
}
