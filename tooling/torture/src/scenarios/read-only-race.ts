import { nodeFileSystem, type FileSystem } from "@store/fs";
import { openStore, readLog, type JsonValue } from "@store/log";
import { Rng } from "@store/testkit";
import { runChild, type Child } from "../child-process.js";
import { inTempDir } from "../temp-dir.js";
import { firstDifference, sameState, stateOf, type State } from "../model.js";
import { check, describeError, type CaseOptions, type Scenario } from "../scenario.js";
import { subSeed } from "../sim.js";

/** Read-only opens per case, each after at least one more compaction of the writer. */
const OPENS = 12;

/** The compactor child's workload (src/children/compactor.ts), a function of these numbers. */
interface Workload {
  readonly prefillKeys: number;
  readonly loopKeys: number;
  readonly segmentBytesMax: number;
}

/** The writer's state after its batches up to `seq`: the prefill (batches 1..prefillSeq), then `last` and `k/<seq % loopKeys>`. */
function stateAt(workload: Workload, prefillSeq: number, seq: number): State {
  const state: State = new Map<string, JsonValue>();
  for (let key = 0; key < workload.prefillKeys; key += 1) state.set(`p/${key}`, key);
  if (seq > prefillSeq) state.set("last", seq);
  for (let key = 0; key < workload.loopKeys; key += 1) {
    const latest = seq - ((((seq - key) % workload.loopKeys) + workload.loopKeys) % workload.loopKeys);
    if (latest > prefillSeq) state.set(`k/${key}`, latest);
  }
  return state;
}

/** Waits until the writer has finished a compaction after the `seen`-th; returns its count. */
async function nextCompaction(child: Child, seen: number): Promise<number> {
  const line = await child.waitFor((text) => text.startsWith("compacted ") && Number(text.split(" ")[1]) > seen, `a compaction after the ${seen}th`);
  return Number(line.split(" ")[1]);
}

/** Replays readLog's records into a state: base entries, then the segments' writes. */
async function replayLog(dir: string, fs: FileSystem): Promise<{ state: State; seq: number }> {
  const state: State = new Map();
  let seq = 0;
  for await (const { record } of readLog(dir, { fs })) {
    if (record.op === "header") seq = Math.max(seq, record.seq);
    else if (record.op === "entry") state.set(record.key, record.value);
    else if (record.op === "set" || record.op === "del" || record.op === "batch") {
      const ops = record.op === "batch" ? record.ops : [record];
      for (const op of ops) {
        if (op.op === "set") state.set(op.key, op.value);
        else state.delete(op.key);
      }
      seq = record.seq;
    }
  }
  return { state, seq };
}

async function race(dir: string, workload: Workload, fs: FileSystem): Promise<void> {
  const child = runChild("compactor", [dir, String(workload.prefillKeys), String(workload.loopKeys), String(workload.segmentBytesMax)]);
  try {
    const ready = await child.waitFor((line) => line.startsWith("ready "), "ready");
    const prefillSeq = Number(ready.split(" ")[1]);
    let compactions = 0;
    let lastSeq = prefillSeq;
    for (let open = 1; open <= OPENS; open += 1) {
      compactions = await nextCompaction(child, compactions);
      const opened = await openStore(dir, { fs, readOnly: true }).then(
        async (store) => {
          const seen = { seq: store.seq, state: stateOf(store) };
          await store.close();
          return seen;
        },
        (error: unknown) => ({ error }),
      );
      if ("error" in opened) throw new Error(`read-only open ${open} (after ${compactions} compactions) failed: ${describeError(opened.error)}`);
      const expected = stateAt(workload, prefillSeq, opened.seq);
      check(sameState(expected, opened.state), () => `read-only open ${open} at seq ${opened.seq} is not the writer's state at any one seq: ${firstDifference(expected, opened.state)}`);
      check(opened.seq >= lastSeq, `read-only open ${open} went back from seq ${lastSeq} to ${opened.seq}`);
      lastSeq = opened.seq;
    }
    await nextCompaction(child, compactions);
    const replayed = await replayLog(dir, fs).catch((error: unknown) => {
      throw new Error(`readLog failed while the writer compacts: ${describeError(error)}`);
    });
    const expected = stateAt(workload, prefillSeq, replayed.seq);
    check(sameState(expected, replayed.state), () => `readLog's records up to seq ${replayed.seq} are not the writer's state: ${firstDifference(expected, replayed.state)}`);
  } finally {
    child.kill();
    await child.ended;
  }
}

async function runCase(seed: number, options: CaseOptions): Promise<number> {
  const rng = new Rng(subSeed(seed, 1));
  const workload: Workload = { prefillKeys: 1000 * (1 + rng.int(5)), loopKeys: 10 + rng.int(190), segmentBytesMax: 512 << rng.int(4) };
  // One FileSystem for the whole case: a broken build (stale-listing) keeps what it saw across opens.
  const fs = options.wrapFs(nodeFileSystem);
  await inTempDir("read-only-race", (dir) => race(dir, workload, fs));
  return OPENS + 1;
}

export const readOnlyRace: Scenario = {
  name: "read-only-race",
  summary: `a writer process compacts in a loop while ${OPENS} read-only opens and a readLog pass read the folder: every one succeeds and sees the writer's state at one seq, never going back`,
  runCase,
};
