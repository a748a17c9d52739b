import type { Store } from "@store/log";
import { player } from "../record.js";
import type { Workload } from "../workload.js";
import { isOursDurable } from "./common.js";

/** Sets per batch while the store is filled (untimed). */
const fillBatchSets = 1_000;

/** Stored key `index`: every eighth number, so that each round's new keys fall between stored ones. */
export function storedKey(index: number): string {
  return `key:${String(index * 8).padStart(9, "0")}`;
}

/** Which new keys a round sets: the untimed warm-up, the timed round before the scan, the two after. */
export type Round = "warm-up" | "before" | "after" | "after again";
const roundOffsets: Readonly<Record<Round, number>> = { "warm-up": 1, before: 2, after: 3, "after again": 4 };

/** New key `index` of a round, spread evenly over the stored keys (each just above one of them). */
export function newKey(index: number, round: Round, sets: number, stored: number): string {
  const near = Math.floor((index * stored) / sets);
  return `key:${String(near * 8 + roundOffsets[round]).padStart(9, "0")}`;
}

async function fill(store: Store, keys: number): Promise<void> {
  for (let start = 0; start < keys; start += fillBatchSets) {
    const ops = [];
    for (let index = start; index < Math.min(keys, start + fillBatchSets); index++) {
      ops.push({ type: "set" as const, key: storedKey(index), value: { n: index } });
    }
    await store.batch(ops);
  }
}

/** `sets` sets of keys the store does not hold, all in flight at once; resolves with the time until the last is durable. */
async function concurrentNewKeys(store: Store, round: Round, sets: number, stored: number): Promise<number> {
  const start = performance.now();
  await Promise.all(Array.from({ length: sets }, (_, index) => store.set(newKey(index, round, sets, stored), player(index, 0))));
  return performance.now() - start;
}

/**
 * A store of 1M keys takes 20,000 concurrent sets of new keys (after an untimed round of as many),
 * then a `scan()` (which builds the sorted key index; the mirror scans at every view it writes), then
 * 20,000 more new keys, twice. With a
 * sorted index that splices one array per insert the second round was 8x slower than the first;
 * `after/before` near 1 says an insert's cost no longer grows with the store.
 */
export const newKeys: Workload = {
  name: "new-keys",
  title: "20,000 concurrent sets of new keys on a store of 1M keys, before and after a scan()",
  columns: [
    { key: "storedKeys", label: "keys stored", digits: 0 },
    { key: "beforeMs", label: "before scan ms", digits: 1 },
    { key: "afterMs", label: "after scan ms", digits: 1 },
    { key: "afterOverBefore", label: "after/before", digits: 2 },
    { key: "againMs", label: "2nd round after ms", digits: 1 },
    { key: "againOverBefore", label: "2nd after/before", digits: 2 },
    { key: "scanMs", label: "scan() ms", digits: 0 },
  ],
  headline: { key: "afterOverBefore", better: "lower" },
  limit: null,
  appliesTo: isOursDurable,
  run: async (spec, { dir, sizes }) => {
    const { openStore } = await import("@store/log");
    const store = await openStore(dir, { sync: "always" });
    try {
      const stored = sizes.newKeysStored;
      const sets = sizes.newKeysSets;
      await fill(store, stored);
      // The first sets after filling pay one-off costs (compiling the set path, the collection of
      // the fill's garbage) that would flatter the round after the scan.
      await concurrentNewKeys(store, "warm-up", sets, stored);
      const beforeMs = await concurrentNewKeys(store, "before", sets, stored);
      const scanStart = performance.now();
      let scanned = 0;
      for (const [key] of store.scan()) if (key.startsWith("key:")) scanned++;
      const scanMs = performance.now() - scanStart;
      const afterMs = await concurrentNewKeys(store, "after", sets, stored);
      // A second round tells a lasting cost (the index) from a one-off one (collecting the scan's garbage).
      const againMs = await concurrentNewKeys(store, "after again", sets, stored);
      if (scanned !== stored + 2 * sets || store.stats().keys !== stored + 4 * sets) {
        throw new Error(`${spec.name}: scanned ${scanned} keys and holds ${store.stats().keys}, expected ${stored + 2 * sets} and ${stored + 4 * sets}`);
      }
      return { storedKeys: stored, sets, beforeMs, afterMs, againMs, afterOverBefore: afterMs / beforeMs, againOverBefore: againMs / beforeMs, scanMs };
    } finally {
      await store.close();
    }
  },
};
