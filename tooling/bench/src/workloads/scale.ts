import { join } from "node:path";
import { mkdir } from "node:fs/promises";
import { isAdapterSpec, type SystemSpec } from "../adapter.js";
import { prefill } from "../adapter.js";
import { measureSets, timedSequentialSets } from "../measure.js";
import { entries, player, playerKey } from "../record.js";
import type { Metrics, Sizes, Workload } from "../workload.js";
import { assertReadsBack, withAdapter } from "./common.js";

/** Sequential sets over `keys` players already stored; the keys are visited in a scattered order. */
async function setsWithKeysStored(spec: SystemSpec, dir: string, keys: number, sizes: Sizes): Promise<Metrics> {
  await mkdir(dir, { recursive: true });
  return withAdapter(spec, dir, async (adapter) => {
    await prefill(adapter, entries(keys, 0));
    const index = (n: number): number => (n * 7_919) % keys;
    const write = (n: number): Promise<void> => adapter.set(playerKey(index(n)), player(index(n), n + 1));
    let last = 0;
    const metrics = await measureSets(adapter, dir, () =>
      timedSequentialSets(sizes.scaleSetsMax, sizes.runTimeMaxMs, (n) => {
        last = n;
        return write(n);
      }),
    );
    await assertReadsBack(adapter, spec, playerKey(index(last)), player(index(last), last + 1));
    return metrics;
  });
}

export const scale: Workload = {
  name: "scale",
  title: "Sequential sets with 10,000 keys stored vs 1,000 (cost must not grow with data)",
  columns: [
    { key: "smallSetsPerSec", label: "sets/s @1k", digits: 0 },
    { key: "largeSetsPerSec", label: "sets/s @10k", digits: 0 },
    { key: "largeOverSmall", label: "10k/1k", digits: 2 },
    { key: "largeP99Ms", label: "p99 ms @10k", digits: 3 },
    { key: "largeBytesPerSet", label: "disk B/set @10k", digits: 0 },
  ],
  headline: { key: "largeSetsPerSec", better: "higher" },
  limit: "disk: append+fdatasync",
  appliesTo: isAdapterSpec,
  run: async (spec, { dir, sizes }) => {
    const [smallKeys, largeKeys] = sizes.scaleKeys;
    const small = await setsWithKeysStored(spec, join(dir, "small"), smallKeys, sizes);
    const large = await setsWithKeysStored(spec, join(dir, "large"), largeKeys, sizes);
    const smallRate = small["setsPerSec"] ?? null;
    const largeRate = large["setsPerSec"] ?? null;
    return {
      smallKeys,
      largeKeys,
      smallSetsPerSec: smallRate,
      largeSetsPerSec: largeRate,
      largeOverSmall: smallRate && largeRate !== null ? largeRate / smallRate : null,
      smallP99Ms: small["p99Ms"] ?? null,
      largeP99Ms: large["p99Ms"] ?? null,
      largeBytesPerSet: large["bytesPerSet"] ?? null,
    };
  },
};
