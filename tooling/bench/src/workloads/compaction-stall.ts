import { prefill } from "../adapter.js";
import { entries, player, playerKey } from "../record.js";
import { percentile } from "../stats.js";
import type { Workload } from "../workload.js";
import { isOursDurable, withAdapter } from "./common.js";

/**
 * Sets timed before the compaction starts: about a second, as long as a compaction here, so that
 * `max set ms before` shows what the machine alone does to the same writer (a loaded VM stalls a
 * process for tens of milliseconds with no compaction at all).
 */
const setsBeforeCompaction = 1_000;

interface TimedSet {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * One writer keeps setting (each awaited, each timed) while `compact()` runs on a store holding
 * `stallKeys` keys written twice. The longest set that overlapped the compaction is the stall a
 * user would see.
 */
export const compactionStall: Workload = {
  name: "compaction-stall",
  title: "Longest stall a steady writer sees while a compaction runs (100k keys, 200k records)",
  columns: [
    { key: "maxStallMs", label: "max set ms during", digits: 2 },
    { key: "p99DuringMs", label: "p99 ms during", digits: 3 },
    { key: "p99BeforeMs", label: "p99 ms before", digits: 3 },
    { key: "maxBeforeMs", label: "max set ms before", digits: 2 },
    { key: "setsDuring", label: "sets during", digits: 0 },
    { key: "compactMs", label: "compaction ms", digits: 0 },
  ],
  headline: { key: "maxStallMs", better: "lower" },
  limit: null,
  appliesTo: isOursDurable,
  run: (spec, { dir, sizes }) =>
    withAdapter(spec, dir, async (adapter) => {
      const compact = adapter.compact?.bind(adapter);
      if (!compact) throw new Error(`${spec.name} cannot compact`);
      await prefill(adapter, entries(sizes.stallKeys, sizes.stallKeys));
      const sets: TimedSet[] = [];
      let compactionStartMs = Infinity;
      let compactionEndMs = Infinity;
      // Settles with the compaction's error (or null) so the writer loop always ends.
      let compacting: Promise<Error | null> = Promise.resolve(null);
      for (let n = 0; n < setsBeforeCompaction || performance.now() < compactionEndMs; n++) {
        if (n === setsBeforeCompaction) {
          compactionStartMs = performance.now();
          compacting = compact()
            .then(
              () => null,
              (error: unknown) => (error instanceof Error ? error : new Error(`compaction rejected: ${String(error)}`)),
            )
            .finally(() => {
              compactionEndMs = performance.now();
            });
        }
        const index = (n * 7_919) % sizes.stallKeys;
        const startMs = performance.now();
        await adapter.set(playerKey(index), player(index, n + 2));
        sets.push({ startMs, endMs: performance.now() });
      }
      const failure = await compacting;
      if (failure !== null) throw failure;
      const latency = (set: TimedSet): number => set.endMs - set.startMs;
      const before = sets.filter((set) => set.endMs <= compactionStartMs).map(latency);
      const during = sets.filter((set) => set.endMs > compactionStartMs && set.startMs < compactionEndMs).map(latency);
      return {
        maxStallMs: during.length > 0 ? Math.max(...during) : null,
        p99DuringMs: during.length > 0 ? percentile(during, 99) : null,
        p99BeforeMs: percentile(before, 99),
        maxBeforeMs: Math.max(...before),
        setsDuring: during.length,
        compactMs: compactionEndMs - compactionStartMs,
      };
    }),
};
