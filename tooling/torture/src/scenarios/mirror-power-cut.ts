import { crc32 } from "node:zlib";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { FileSystem } from "@store/fs";
import type { Store, StoreOptions } from "@store/log";
import { createMirror, readJsonFile, readManifest, type Mirror } from "@store/snapshot";
import { Rng, SimulatedDisk, isPowerCut } from "@store/testkit";
import { checkRecovered, stateAt, stateOf, type History } from "../model.js";
import { check, type CaseOptions, type Scenario } from "../scenario.js";
import { MIRROR_DIR, openOnFs, subSeed } from "../sim.js";
import { runWorkload, type WorkloadPlan, type WorkloadRun } from "../workload.js";
import { checkMirror, MIRROR_VIEWS, project } from "./power-cut-mirror.js";

const SYNC_MODES = ["always", "interval", "none"] as const;
type SyncMode = (typeof SYNC_MODES)[number];
/** Random cut points per case, each crashed CRASHES_PER_CUT ways. */
const CUTS = 8;
const CRASHES_PER_CUT = 2;

interface Plan extends WorkloadPlan {
  readonly sync: SyncMode;
  readonly segmentBytesMax: number;
}

/** Seed i runs sync mode i mod 3, so every mode gets a third of the cases. */
function makePlan(seed: number): Plan {
  const rng = new Rng(subSeed(seed, 11));
  const writes = 40 + rng.int(120);
  const at = (): number => rng.int(writes);
  return {
    sync: SYNC_MODES[seed % SYNC_MODES.length]!,
    writes,
    callers: 1 + rng.int(8),
    accounts: rng.bool(0.6) ? 2 + rng.int(4) : 0,
    compactAt: new Set(rng.bool(0.4) ? [at()] : []),
    mirrorAt: new Set(Array.from({ length: 3 + rng.int(8) }, at)),
    segmentBytesMax: rng.pick([600, 2000, 64 * 1024]),
  };
}

function storeOptions(plan: Plan): StoreOptions {
  // The interval timer never fires within a case: replays stay exact, and "interval" is then as
  // loose as "none" between the mirror's checkpoints, which is the case that matters here.
  return { sync: plan.sync, syncIntervalMs: 1_000_000_000, segmentBytesMax: plan.segmentBytesMax };
}

interface CutRun {
  readonly disk: SimulatedDisk;
  readonly workload: WorkloadRun | undefined;
}

/**
 * Runs the plan on a fresh disk with the power set to fail at operation `cutAt`; without a cut the
 * run ends with a clean close, or (`dies`) with the process dying: nothing closed, nothing synced.
 */
async function runUntilCut(seed: number, plan: Plan, cutAt: number | undefined, options: CaseOptions, dies = false): Promise<CutRun> {
  const disk = new SimulatedDisk();
  if (new Rng(subSeed(seed, 12)).bool()) disk.landWritesLate(new Rng(subSeed(seed, 13)));
  if (cutAt !== undefined) disk.cutPowerAt(cutAt);
  const fs = options.wrapFs(disk.fs);
  let store: Store;
  try {
    store = await openOnFs(fs, 1, storeOptions(plan));
  } catch (error) {
    if (!isPowerCut(error)) throw error;
    return { disk, workload: undefined };
  }
  const mirror = createMirror(store, { dir: MIRROR_DIR, views: MIRROR_VIEWS, fs, intervalMs: 1_000_000_000, onError: () => undefined });
  const workload = await runWorkload(store, new Rng(subSeed(seed, 14)), plan, {
    compact: () => store.compact(),
    flushMirror: () => mirror.flush(),
  });
  if (!dies) await shutDown(store, mirror);
  return { disk, workload };
}

async function shutDown(store: Store, mirror: Mirror): Promise<void> {
  const tolerate = (error: unknown): void => {
    if (!(error instanceof Error)) throw new Error(String(error));
    if (!isPowerCut(error) && !("code" in error)) throw error;
  };
  await mirror.close().catch(tolerate);
  await store.close().catch(tolerate);
}

/**
 * After the crash: the log recovers a prefix of the issued writes holding every write made durable
 * (all acknowledged ones with `sync: "always"`; otherwise those the last acknowledged mirror flush
 * checkpointed), the manifest never records a seq past the recovered one, and each view is whole
 * and equal to a state between the last acknowledged flush and the recovered seq.
 */
async function checkRevived(fs: FileSystem, run: CutRun, plan: Plan): Promise<void> {
  const workload = run.workload;
  const mirrorAckSeq = workload?.mirrorAckSeq;
  const durable = plan.sync === "always" ? (workload?.acknowledged ?? new Set<number>()) : new Set([...(workload?.acknowledged ?? [])].filter((seq) => seq <= (mirrorAckSeq ?? 0)));
  const history: History = { initial: new Map(), initialSeq: 0, issued: workload?.issued ?? [], acknowledged: durable };
  const store = await openOnFs(fs, 2, storeOptions(plan));
  try {
    checkRecovered(stateOf(store), store.seq, history);
    await checkMirror(fs, history, store.seq, mirrorAckSeq);
    await checkManifest(fs, history, store.seq);
    await store.set("after/recovery", store.seq);
  } finally {
    await store.close();
  }
}

/** No record ahead of the log; a view whose bytes match its record holds the state at that seq. */
async function checkManifest(fs: FileSystem, history: History, recoveredSeq: number): Promise<void> {
  const manifest = await readManifest(MIRROR_DIR, { fs });
  for (const [file, record] of Object.entries(manifest?.views ?? {})) {
    check(record.seq <= recoveredSeq, `the manifest vouches for ${file} at seq ${record.seq}, but the log recovered only up to seq ${recoveredSeq}`);
    const path = join(MIRROR_DIR, file);
    const bytes = await fs.readFile(path).catch(() => undefined);
    if (bytes === undefined || bytes.length !== record.bytes || crc32(bytes) !== record.crc32) continue; // rewritten after the manifest
    const view = await readJsonFile(path, { fs });
    const expected = project(stateAt(history.initial, history.issued, record.seq), record.prefix);
    const found = Object.entries(view as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    check(isDeepStrictEqual(found, expected), `${file} matches its manifest record, but does not hold the state at the seq it records (${record.seq})`);
  }
}

async function runCase(seed: number, options: CaseOptions): Promise<number> {
  const plan = makePlan(seed);
  const operations = (await runUntilCut(seed, plan, undefined, options)).disk.operationCount;
  const rng = new Rng(subSeed(seed, 15));
  let checks = 0;
  // The end of the run, with the process dying before any close, is a cut point too: there the
  // unsynced writes of "interval" and "none" are lost, and the mirror must not have vouched for them.
  const cuts = [undefined, ...Array.from({ length: CUTS }, () => rng.int(operations + 1))];
  for (const cutAt of cuts) {
    const run = await runUntilCut(seed, plan, cutAt, options, cutAt === undefined);
    for (let crash = 0; crash < CRASHES_PER_CUT; crash += 1) {
      const revived = run.disk.crash(new Rng(subSeed(seed, cutAt ?? -1, crash)));
      await checkRevived(options.wrapFs(revived.fs), run, plan).catch((error: unknown) => {
        const where = `sync "${plan.sync}", ${cutAt === undefined ? "power lost after the run" : `cut at operation ${cutAt}`}, crash ${crash}`;
        throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      });
      checks += 1;
    }
  }
  return checks;
}

export const mirrorPowerCut: Scenario = {
  name: "mirror-power-cut",
  summary: "the log and its JSON mirror on the simulated disk in every sync mode, power cut at random points: the manifest and every view are never ahead of what the log recovers, and a flushed view never vanishes",
  runCase,
};
