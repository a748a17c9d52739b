import { Rng, SimulatedDisk, type Fault } from "@store/testkit";
import { firstDifference, sameState, stateOf, type State } from "../model.js";
import { check, type CaseOptions } from "../scenario.js";
import { errorCode } from "../submit.js";
import { openOnFs, subSeed } from "../sim.js";
import { runWorkload } from "../workload.js";

/** One fault per step of a compaction: roll, base write, fsync, rename, folder fsync, backups, unlink. */
const COMPACTION_FAULTS: readonly Fault[] = [
  { operation: "open", nth: 1, kind: "EIO", pathIncludes: ".log" },
  { operation: "write", nth: 1, kind: "ENOSPC", pathIncludes: ".base" },
  { operation: "write", nth: 2, kind: "ENOSPC", pathIncludes: ".base" },
  { operation: "write", nth: 3, kind: "ENOSPC", pathIncludes: ".base" },
  { operation: "sync", nth: 1, kind: "EIO", pathIncludes: ".base" },
  { operation: "rename", nth: 1, kind: "EIO", pathIncludes: ".base" },
  { operation: "fsyncDir", nth: 1, kind: "EIO" },
  { operation: "fsyncDir", nth: 2, kind: "EIO" },
  { operation: "fsyncDir", nth: 3, kind: "EIO" },
  { operation: "write", nth: 1, kind: "ENOSPC", pathIncludes: "backups" },
  { operation: "unlink", nth: 1, kind: "EIO" },
];
const CRASHES = 2;

/**
 * A compaction hit by a fault at one of its steps: it fails with a typed error (or completes), the
 * state is unchanged, the store keeps taking writes, and the next compaction succeeds.
 */
export async function compactionFaultCase(seed: number, nth: number, options: CaseOptions): Promise<number> {
  const fault = COMPACTION_FAULTS[(nth - 1) % COMPACTION_FAULTS.length]!;
  const where = `with ${JSON.stringify(fault)}`;
  const rng = new Rng(subSeed(seed, 1));
  const disk = new SimulatedDisk();
  const store = await openOnFs(options.wrapFs(disk.fs), 1, { segmentBytesMax: rng.pick([500, 64 * 1024]) });
  const prefill = await runWorkload(store, rng, { writes: 20 + rng.int(20), callers: 4, accounts: 0, compactAt: new Set(rng.bool() ? [5] : []), mirrorAt: new Set() }, { compact: () => store.compact() });
  check(prefill.completed, `the workload before the fault failed: ${String(prefill.firstError)}`);
  const expected: State = stateOf(store);
  disk.injectFault(fault);
  const outcome = await store.compact().then(() => "done", (error: unknown) => errorCode(error) ?? String(error));
  check(outcome === "done" || outcome === "STORE_IO", `${where}: compaction ended with ${outcome}, not success or STORE_IO`);
  check(outcome === "done" || store.stats().lastCompactionError !== null, `${where}: a failed compaction left lastCompactionError empty`);
  check(!store.stats().failed, `${where}: a failed compaction failed the store`);
  check(sameState(expected, stateOf(store)), () => `${where}: the compaction changed the state: ${firstDifference(expected, stateOf(store))}`);
  disk.clearFaults();
  await store.set("after/fault", outcome);
  expected.set("after/fault", outcome);
  const again = await store.compact().then(() => "done", (error: unknown) => (error instanceof Error ? error.message : String(error)));
  check(again === "done", `${where}: once the fault is gone, the next compaction still fails: ${again}`);
  await store.close();
  for (let crash = 0; crash < CRASHES; crash += 1) {
    const revived = await openOnFs(options.wrapFs(disk.crash(new Rng(subSeed(seed, crash))).fs), 2);
    check(sameState(expected, stateOf(revived)), () => `${where}, crash ${crash}: ${firstDifference(expected, stateOf(revived))}`);
    await revived.close();
  }
  const reopened = await openOnFs(options.wrapFs(disk.fs), 2);
  check(sameState(expected, stateOf(reopened)), () => `${where}, reopened: ${firstDifference(expected, stateOf(reopened))}`);
  await reopened.close();
  return CRASHES + 1;
}
