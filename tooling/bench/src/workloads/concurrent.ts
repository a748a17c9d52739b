import { isAdapterSpec } from "../adapter.js";
import { measureSets, type SetsOutcome } from "../measure.js";
import { player, playerKey } from "../record.js";
import type { Adapter } from "../adapter.js";
import type { Sizes, Workload } from "../workload.js";
import { assertReadsBack, withAdapter } from "./common.js";

const playerCount = 1_000;

/** `writers` callers each awaiting one set after another until the shared count or time runs out. */
async function concurrentSets(adapter: Adapter, sizes: Sizes): Promise<SetsOutcome> {
  const latenciesMs: number[] = [];
  let issued = 0;
  const start = performance.now();
  const writer = async (): Promise<void> => {
    while (issued < sizes.concurrentSets && performance.now() - start < sizes.runTimeMaxMs) {
      const n = issued++;
      const before = performance.now();
      await adapter.set(playerKey(n % playerCount), player(n % playerCount, n));
      latenciesMs.push(performance.now() - before);
    }
  };
  await Promise.all(Array.from({ length: sizes.concurrentWriters }, writer));
  return { latenciesMs, elapsedMs: performance.now() - start };
}

export const concurrent: Workload = {
  name: "concurrent",
  title: "Concurrent sets (64 writers, 20,000 sets)",
  columns: [
    { key: "setsPerSec", label: "sets/s", digits: 0 },
    { key: "p50Ms", label: "p50 ms", digits: 3 },
    { key: "p99Ms", label: "p99 ms", digits: 3 },
    { key: "bytesPerSet", label: "disk B/set", digits: 0 },
    { key: "fileBytesPerSet", label: "file B/set", digits: 0 },
    { key: "flushesPerSet", label: "flushes/set", digits: 3 },
  ],
  headline: { key: "setsPerSec", better: "higher" },
  limit: "disk: group commit",
  appliesTo: isAdapterSpec,
  run: (spec, { dir, sizes }) =>
    withAdapter(spec, dir, async (adapter) => {
      const metrics = await measureSets(adapter, dir, () => concurrentSets(adapter, sizes));
      // Every writer has finished, so the highest index issued is the value of its key now.
      const sets = metrics["sets"] ?? 0;
      if (sets > 0) {
        const last = sets - 1;
        await assertReadsBack(adapter, spec, playerKey(last % playerCount), player(last % playerCount, last));
      }
      return metrics;
    }),
};
