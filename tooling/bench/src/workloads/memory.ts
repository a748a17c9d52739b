import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openStore } from "@store/log";
import type { SystemSpec } from "../adapter.js";
import { player, playerKey } from "../record.js";
import type { Metrics, Workload } from "../workload.js";
import { openInChild } from "./cold-start.js";
import { isOursDurable } from "./common.js";

/** Sets per batch while a dataset is filled (untimed). */
const fillBatchSets = 1_000;

/** `keys` players (the ~200-byte record), written in batches and compacted; built once, reused by later runs. */
async function ensureDataset(dir: string, keys: number): Promise<void> {
  const marker = `${dir}.complete`;
  if (existsSync(marker)) return;
  await mkdir(dir, { recursive: true });
  const store = await openStore(dir, { sync: "none" });
  try {
    for (let start = 0; start < keys; start += fillBatchSets) {
      const ops = [];
      for (let index = start; index < Math.min(keys, start + fillBatchSets); index++) ops.push({ type: "set" as const, key: playerKey(index), value: player(index, 0) });
      await store.batch(ops);
    }
    await store.compact();
  } finally {
    await store.close();
  }
  await writeFile(marker, "");
}

async function measure(spec: SystemSpec, keepDir: string, keys: number, prefix: string): Promise<Metrics> {
  const dir = join(keepDir, `keys-${keys}`);
  await ensureDataset(dir, keys);
  const child = await openInChild(spec, dir, playerKey(keys - 1));
  return {
    [`${prefix}Keys`]: keys,
    [`${prefix}RssPerKeyB`]: (child.rssAfterBytes - child.rssBeforeBytes) / keys,
    [`${prefix}HeapPerKeyB`]: (child.heapAfterBytes - child.heapBeforeBytes) / keys,
    [`${prefix}ExternalPerKeyB`]: (child.externalAfterBytes - child.externalBeforeBytes) / keys,
    [`${prefix}OpenMs`]: child.openMs,
    [`${prefix}CpuMs`]: child.cpuMs,
  };
}

/**
 * What a key costs in memory: a new process opens a compacted store of 100k and of 1M players
 * (the ~200-byte record) and reads one; the growth of its RSS, of the V8 heap and of memory outside
 * it (Buffers: the base's bytes, which hold the values) from before the open to after the read,
 * divided by the keys. No GC is forced, so garbage of the open not yet collected counts too.
 */
export const memory: Workload = {
  name: "memory",
  title: "Memory: RSS per key after opening a compacted store of 100k and of 1M keys (~200-byte values), in a new process",
  columns: [
    { key: "smallKeys", label: "keys", digits: 0 },
    { key: "smallRssPerKeyB", label: "RSS B/key", digits: 0 },
    { key: "smallHeapPerKeyB", label: "heap B/key", digits: 0 },
    { key: "smallExternalPerKeyB", label: "buffers B/key", digits: 0 },
    { key: "largeKeys", label: "keys", digits: 0 },
    { key: "largeRssPerKeyB", label: "RSS B/key", digits: 0 },
    { key: "largeHeapPerKeyB", label: "heap B/key", digits: 0 },
    { key: "largeExternalPerKeyB", label: "buffers B/key", digits: 0 },
    { key: "largeOpenMs", label: "open+get ms", digits: 0 },
    { key: "largeCpuMs", label: "CPU ms", digits: 0 },
  ],
  headline: { key: "largeRssPerKeyB", better: "lower" },
  limit: null,
  appliesTo: isOursDurable,
  run: async (spec, { keepDir, sizes }) => {
    const [small, large] = sizes.memoryKeys;
    return { ...(await measure(spec, keepDir, small, "small")), ...(await measure(spec, keepDir, large, "large")) };
  },
};
