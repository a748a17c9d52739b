import { isAdapterSpec } from "../adapter.js";
import { measureSets, timedSequentialSets } from "../measure.js";
import { player, playerKey } from "../record.js";
import type { Workload } from "../workload.js";
import { assertReadsBack, withAdapter } from "./common.js";

const playerCount = 1_000;

export const sequential: Workload = {
  name: "sequential",
  title: "Sequential awaited sets (one writer, ~200-byte player record)",
  columns: [
    { key: "setsPerSec", label: "sets/s", digits: 0 },
    { key: "p50Ms", label: "p50 ms", digits: 3 },
    { key: "p99Ms", label: "p99 ms", digits: 3 },
    { key: "bytesPerSet", label: "disk B/set", digits: 0 },
    { key: "fileBytesPerSet", label: "file B/set", digits: 0 },
    { key: "flushesPerSet", label: "flushes/set", digits: 3 },
  ],
  headline: { key: "setsPerSec", better: "higher" },
  limit: "disk: append+fdatasync",
  appliesTo: isAdapterSpec,
  run: (spec, { dir, sizes }) =>
    withAdapter(spec, dir, async (adapter) => {
      const write = (n: number): Promise<void> => adapter.set(playerKey(n % playerCount), player(n % playerCount, n));
      await timedSequentialSets(10, sizes.runTimeMaxMs, write);
      let last = 0;
      const metrics = await measureSets(adapter, dir, () =>
        timedSequentialSets(sizes.sequentialSetsMax, sizes.runTimeMaxMs, (n) => {
          last = n + 10;
          return write(last);
        }),
      );
      await assertReadsBack(adapter, spec, playerKey(last % playerCount), player(last % playerCount, last));
      return metrics;
    }),
};
