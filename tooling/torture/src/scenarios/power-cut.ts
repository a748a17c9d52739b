import type { FileSystem } from "@store/fs";
import type { Store } from "@store/log";
import { createCompactionScheduler } from "@store/scheduler";
import { createMirror, type Mirror } from "@store/snapshot";
import { Rng, SimulatedDisk, isPowerCut } from "@store/testkit";
import { checkEconomy, checkRecovered, stateOf, type History } from "../model.js";
import { ACCOUNT_BALANCE_START, ACCOUNT_PREFIX } from "../ops.js";
import type { CaseOptions, Scenario } from "../scenario.js";
import { MIRROR_DIR, openOnFs, subSeed } from "../sim.js";
import { runWorkload, type WorkloadPlan, type WorkloadRun } from "../workload.js";
import { checkMirror, MIRROR_VIEWS } from "./power-cut-mirror.js";

/** Crashes per cut: each keeps, drops and tears the pending writes differently. */
const CRASHES_PER_CUT = 2;
/** Random cut points in a long workload. */
const LONG_CUTS = 6;
/** A short workload that has not finished after this many operations is a harness bug. */
const CUTS_MAX = 5000;

interface Plan extends WorkloadPlan {
  readonly segmentBytesMax: number;
  /** Short plans are cut at every operation index, long ones at random points. */
  readonly long: boolean;
}

function makePlan(seed: number): Plan {
  const rng = new Rng(subSeed(seed, 1));
  const long = seed % 4 === 3;
  const writes = long ? 150 + rng.int(150) : 12 + rng.int(16);
  const at = (): number => rng.int(writes);
  return {
    long,
    writes,
    callers: 1 + rng.int(8),
    accounts: rng.bool(0.75) ? 2 + rng.int(4) : 0,
    compactAt: new Set(rng.bool(0.7) ? [at(), ...(long ? [at(), at()] : [])] : []),
    mirrorAt: new Set(rng.bool(0.6) ? [at(), ...(long ? [at()] : [])] : []),
    segmentBytesMax: rng.pick([600, 2000, 64 * 1024]),
  };
}

interface CutRun {
  readonly disk: SimulatedDisk;
  readonly workload: WorkloadRun | undefined;
  readonly cut: boolean;
}

/** Opens a store on a fresh disk with the power set to fail at operation `cutAt`, and runs the plan. */
async function runUntilCut(seed: number, plan: Plan, cutAt: number | undefined, options: CaseOptions): Promise<CutRun> {
  const disk = new SimulatedDisk();
  // Half the seeds let concurrent writes land in any order, as libuv's thread pool does.
  if (new Rng(subSeed(seed, 5)).bool()) disk.landWritesLate(new Rng(subSeed(seed, 6)));
  if (cutAt !== undefined) disk.cutPowerAt(cutAt);
  const fs = options.wrapFs(disk.fs);
  let store: Store;
  try {
    store = await openOnFs(fs, 1, { segmentBytesMax: plan.segmentBytesMax });
  } catch (error) {
    if (!isPowerCut(error)) throw error;
    return { disk, workload: undefined, cut: true };
  }
  const mirror = plan.mirrorAt.size > 0 ? createMirror(store, { dir: MIRROR_DIR, views: MIRROR_VIEWS, fs, intervalMs: 1_000_000_000, onError: () => undefined }) : undefined;
  const scheduler = createCompactionScheduler(store, { checkIntervalMs: 1_000_000_000, onError: () => undefined });
  const workload = await runWorkload(store, new Rng(subSeed(seed, 2)), plan, {
    compact: async () => {
      const run = await scheduler.runNow();
      if (run.error !== undefined) throw run.error instanceof Error ? run.error : new Error("the compaction failed with a non-Error", { cause: run.error });
    },
    ...(mirror === undefined ? {} : { flushMirror: () => mirror.flush() }),
  });
  await shutDown(store, mirror, scheduler.stop());
  return { disk, workload, cut: disk.powerIsCut };
}

async function shutDown(store: Store, mirror: Mirror | undefined, schedulerStopped: Promise<void>): Promise<void> {
  const tolerate = (error: unknown): void => {
    if (!(error instanceof Error)) throw new Error(String(error));
    if (!isPowerCut(error) && !("code" in error)) throw error;
  };
  await schedulerStopped.catch(tolerate);
  await mirror?.close().catch(tolerate);
  await store.close().catch(tolerate);
}

/** Crashes the disk `CRASHES_PER_CUT` ways and checks each revived store against the model. */
async function checkCrashes(seed: number, cutAt: number, run: CutRun, plan: Plan, options: CaseOptions): Promise<number> {
  const history: History = { initial: new Map(), initialSeq: 0, issued: run.workload?.issued ?? [], acknowledged: run.workload?.acknowledged ?? new Set() };
  for (let crash = 0; crash < CRASHES_PER_CUT; crash += 1) {
    const revived = run.disk.crash(new Rng(subSeed(seed, cutAt, crash)));
    const where = `cut at operation ${cutAt}, crash ${crash}`;
    await checkRevived(options.wrapFs(revived.fs), history, run.workload?.mirrorAckSeq, plan).catch((error: unknown) => {
      throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
  }
  return CRASHES_PER_CUT;
}

async function checkRevived(fs: FileSystem, history: History, mirrorAckSeq: number | undefined, plan: Plan): Promise<void> {
  const store = await openOnFs(fs, 2, { segmentBytesMax: plan.segmentBytesMax });
  try {
    const recovered = stateOf(store);
    checkRecovered(recovered, store.seq, history);
    checkEconomy(recovered, ACCOUNT_PREFIX, plan.accounts * ACCOUNT_BALANCE_START);
    await checkMirror(fs, history, store.seq, mirrorAckSeq);
    await store.set("after/recovery", store.seq); // the revived store takes writes
  } finally {
    await store.close();
  }
}

async function runCase(seed: number, options: CaseOptions): Promise<number> {
  const plan = makePlan(seed);
  let checks = 0;
  if (!plan.long) {
    for (let cutAt = 0; ; cutAt += 1) {
      if (cutAt > CUTS_MAX) throw new Error(`assertion failed: the short workload of seed ${seed} still runs after ${CUTS_MAX} operations`);
      const run = await runUntilCut(seed, plan, cutAt, options);
      checks += await checkCrashes(seed, cutAt, run, plan, options);
      if (!run.cut) return checks;
    }
  }
  const full = await runUntilCut(seed, plan, undefined, options);
  const operations = full.disk.operationCount;
  const rng = new Rng(subSeed(seed, 3));
  for (let index = 0; index < LONG_CUTS; index += 1) {
    const cutAt = rng.int(operations + 1);
    checks += await checkCrashes(seed, cutAt, await runUntilCut(seed, plan, cutAt, options), plan, options);
  }
  return checks;
}

export const powerCut: Scenario = {
  name: "power-cut",
  summary: "seeded workloads (concurrent sets, deletes, conditional batches, compactions, mirror writes) on the simulated disk, power cut at every operation index (short) or at random points (long); reopen and compare with the model",
  runCase,
};
