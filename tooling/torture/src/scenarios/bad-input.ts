import { inspect, isDeepStrictEqual } from "node:util";
import { nodeFileSystem } from "@store/fs";
import { openStore, type Store } from "@store/log";
import { BAD_INPUTS, BAD_INPUT_EXISTING_KEY, Rng, folderBytes, refusalOf, type BadInput, type BadInputAttempt } from "@store/testkit";
import { inTempDir } from "../temp-dir.js";
import { firstDifference, sameState, stateOf } from "../model.js";
import { check, type CaseOptions, type Scenario } from "../scenario.js";
import { subSeed } from "../sim.js";

function describe(outcome: unknown): string {
  if (outcome === undefined) return "it was acknowledged";
  return outcome instanceof Error ? `${outcome.name} ${(outcome as { code?: string }).code ?? ""}: ${outcome.message.slice(0, 120)}` : inspect(outcome);
}

/** One attempt with bad input: refused as the catalogue says, the files byte-for-byte and the state unchanged. */
async function checkRefused(store: Store, dir: string, input: BadInput, attempt: BadInputAttempt): Promise<void> {
  const name = `${input.name} (via ${attempt.via})`;
  const filesBefore = await folderBytes(dir);
  const stateBefore = stateOf(store);
  const seqBefore = store.seq;
  const outcome = await attempt.run(store).then(
    () => undefined,
    (error: unknown) => error,
  );
  // Give a write that was wrongly queued the chance to reach the disk before looking.
  await new Promise<void>((resolve) => setImmediate(resolve));
  check(refusalOf(outcome) === input.refusedWith, () => `${name}: expected ${input.refusedWith}, but ${describe(outcome)}`);
  check(isDeepStrictEqual(await folderBytes(dir), filesBefore), `${name}: the data folder's files changed`);
  check(store.seq === seqBefore, `${name}: the seq moved from ${seqBefore} to ${store.seq}`);
  check(sameState(stateBefore, stateOf(store)), () => `${name}: the state changed: ${firstDifference(stateBefore, stateOf(store))}`);
  check(!store.stats().failed, `${name}: the store failed`);
}

async function runCase(seed: number, options: CaseOptions): Promise<number> {
  const rng = new Rng(subSeed(seed, 1));
  return inTempDir("bad-input", async (dir) => {
    const store = await openStore(dir, { fs: options.wrapFs(nodeFileSystem) });
    const existing = 1 + rng.int(20);
    for (let index = 0; index < existing; index += 1) await store.set(`existing/${index}`, { index, tag: rng.int(1000) });
    if (!store.has(BAD_INPUT_EXISTING_KEY)) throw new Error(`assertion failed: the catalogue needs ${BAD_INPUT_EXISTING_KEY}`);
    await store.checkpoint(); // the segment's background zero fill is done: only a write could change the files now
    let checks = 0;
    try {
      // Every kind, in a seeded order, so one kind's leftovers cannot hide behind another's.
      const order = BAD_INPUTS.map((input) => ({ input, key: rng.next() })).sort((a, b) => a.key - b.key);
      for (const { input } of order) {
        for (const attempt of input.attempts) {
          await checkRefused(store, dir, input, attempt);
          checks += 1;
        }
      }
      const seqBefore = store.seq;
      const { seq } = await store.set("probe", true);
      check(seq === seqBefore + 1, `refused writes burned seqs: the next write got ${seq}, not ${seqBefore + 1}`);
      const expected = stateOf(store);
      await store.close();
      const reopened = await openStore(dir);
      check(sameState(expected, stateOf(reopened)), () => `after reopening: ${firstDifference(expected, stateOf(reopened))}`);
      await reopened.close();
    } finally {
      await store.close();
    }
    return checks;
  });
}

export const badInput: Scenario = {
  name: "bad-input",
  summary: `${BAD_INPUTS.length} kinds of invalid keys (the catalogue of @store/testkit), values and batches through set, delete and batch on a real folder: refused with a typed error, files byte-for-byte and state unchanged, no seq burned`,
  runCase,
};
