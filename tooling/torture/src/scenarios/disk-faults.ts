import { readLog, type Store } from "@store/log";
import { Rng, SimulatedDisk, type Fault } from "@store/testkit";
import { checkEconomy, checkRecovered, firstDifference, sameState, stateAt, stateOf, type History, type State } from "../model.js";
import { ACCOUNT_BALANCE_START, ACCOUNT_PREFIX } from "../ops.js";
import { check, type CaseOptions, type Scenario } from "../scenario.js";
import { errorCode } from "../submit.js";
import { DATA_DIR, openOnFs, subSeed } from "../sim.js";
import { runWorkload, type WorkloadPlan, type WorkloadRun } from "../workload.js";
import { compactionFaultCase } from "./disk-faults-compaction.js";

const ACCOUNTS = 3;
/** Write and fsync indexes covered: consecutive seeds walk through them. */
const INDEXES = 24;
const CRASHES = 3;

type LogFault = "fsync-EIO" | "write-ENOSPC" | "short-write" | "disk-full";
const KINDS: readonly (LogFault | "compaction")[] = ["fsync-EIO", "write-ENOSPC", "short-write", "disk-full", "compaction"];

function plan(rng: Rng): WorkloadPlan {
  return { writes: 30 + rng.int(30), callers: 1 + rng.int(6), accounts: ACCOUNTS, compactAt: new Set(), mirrorAt: new Set() };
}

function armLogFault(disk: SimulatedDisk, kind: LogFault, nth: number, rng: Rng): void {
  const onLog = (fault: Fault): void => {
    disk.injectFault({ ...fault, pathIncludes: ".log" });
  };
  if (kind === "fsync-EIO") onLog({ operation: "sync", nth, kind: "EIO" });
  if (kind === "write-ENOSPC") onLog({ operation: "write", nth, kind: "ENOSPC" });
  if (kind === "short-write") {
    onLog({ operation: "write", nth, kind: "short-write" });
    onLog({ operation: "write", nth: nth + 1, kind: "ENOSPC" });
  }
  if (kind === "disk-full") {
    let used = 0;
    for (const bytes of disk.files().values()) used += bytes.length;
    disk.setCapacityBytes(used + 100 + rng.int(40 * nth));
  }
}

function historyOf(run: WorkloadRun): History {
  return { initial: new Map(), initialSeq: 0, issued: run.issued, acknowledged: run.acknowledged };
}

/** EIO on the k-th fdatasync: the store fails for good, and a crash leaves exactly the acknowledged writes. */
async function afterFsyncFailure(store: Store, disk: SimulatedDisk, run: WorkloadRun, seed: number, options: CaseOptions): Promise<number> {
  check(store.stats().failed, "after a failed fdatasync the store does not report itself failed");
  const later = await store.set("later", 1).then(() => "acknowledged", (error: unknown) => errorCode(error));
  check(later === "STORE_FAILED", `a write after a failed fdatasync was ${String(later)}, not rejected with STORE_FAILED`);
  await store.close();
  const acknowledgedMax = Math.max(0, ...run.acknowledged);
  for (let crash = 0; crash < CRASHES; crash += 1) {
    const revived = await openOnFs(options.wrapFs(disk.crash(new Rng(subSeed(seed, crash))).fs), 2);
    check(revived.seq === acknowledgedMax, `after a failed fdatasync and a crash, recovered seq ${revived.seq}, but exactly ${acknowledgedMax} was acknowledged`);
    checkRecovered(stateOf(revived), revived.seq, historyOf(run));
    await revived.close();
  }
  const reopened = await openOnFs(options.wrapFs(disk.fs), 2);
  checkRecovered(stateOf(reopened), reopened.seq, historyOf(run));
  await reopened.close();
  return CRASHES + 1;
}

/** A failed append: a typed error, no partial record left, and the store works once space is back. */
async function afterFailedAppend(store: Store, disk: SimulatedDisk, run: WorkloadRun, options: CaseOptions): Promise<number> {
  const code = errorCode(run.firstError);
  check(code === "STORE_IO", `a failed append rejected with ${String(code)}, not STORE_IO`);
  check(!store.stats().failed, "a failed append (disk full) failed the store for good");
  disk.clearFaults();
  disk.setCapacityBytes(undefined);
  const expected = stateAt(new Map(), run.acknowledgedWrites, Number.MAX_SAFE_INTEGER);
  check(sameState(expected, stateOf(store)), () => `after a failed append the store holds more than the acknowledged writes: ${firstDifference(expected, stateOf(store))}`);
  const { seq } = await store.set("after/space-is-back", 1);
  expected.set("after/space-is-back", 1);
  await store.close();
  let lastSeq = 0;
  for await (const entry of readLog(DATA_DIR, { fs: disk.fs })) if ("seq" in entry.record && entry.record.op !== "header") lastSeq = entry.record.seq;
  check(lastSeq === seq, `the log's last whole record has seq ${lastSeq}, not the newest write's ${seq}`);
  const reopened = await openOnFs(options.wrapFs(disk.fs), 2);
  check(reopened.recovery.tornTail === null, "a failed append left a partial record in the log");
  check(sameState(expected, stateOf(reopened)), () => `reopened after a failed append: ${firstDifference(expected, stateOf(reopened))}`);
  await reopened.close();
  return 2;
}

async function logFaultCase(seed: number, kind: LogFault, nth: number, options: CaseOptions): Promise<number> {
  const rng = new Rng(subSeed(seed, 1));
  const disk = new SimulatedDisk();
  const store = await openOnFs(options.wrapFs(disk.fs), 1, { segmentBytesMax: rng.pick([800, 64 * 1024]) });
  armLogFault(disk, kind, nth, rng);
  const run = await runWorkload(store, rng, plan(rng));
  checkEconomy(stateOf(store), ACCOUNT_PREFIX, ACCOUNTS * ACCOUNT_BALANCE_START);
  if (!run.completed && kind === "fsync-EIO") return afterFsyncFailure(store, disk, run, seed, options);
  if (!run.completed) return afterFailedAppend(store, disk, run, options);
  const expected: State = stateOf(store);
  await store.close();
  const reopened = await openOnFs(options.wrapFs(disk.fs), 2);
  check(sameState(expected, stateOf(reopened)), () => `the fault never fired, yet reopening changed the state: ${firstDifference(expected, stateOf(reopened))}`);
  await reopened.close();
  return 1;
}

async function runCase(seed: number, options: CaseOptions): Promise<number> {
  const kind = KINDS[seed % KINDS.length]!;
  const nth = 1 + (Math.floor(seed / KINDS.length) % INDEXES);
  return kind === "compaction" ? compactionFaultCase(seed, nth, options) : logFaultCase(seed, kind, nth, options);
}

export const diskFaults: Scenario = {
  name: "disk-faults",
  summary: "EIO on the k-th fdatasync, ENOSPC and short writes at every write index, a full disk, and faults at every step of a compaction: typed errors, nothing partial left, exact state after a crash",
  runCase,
};
