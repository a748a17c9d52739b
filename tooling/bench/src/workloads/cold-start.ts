import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { isAdapterSpec, type SystemSpec } from "../adapter.js";
import { prefill } from "../adapter.js";
import { entries, player, playerKey } from "../record.js";
import type { Metrics, Sizes, Workload } from "../workload.js";
import { isLimit, withAdapter } from "./common.js";

const run = promisify(execFile);
const childPath = fileURLToPath(new URL("./cold-start-child.ts", import.meta.url));
const megabyte = 1024 * 1024;

export interface ChildReport {
  readonly openMs: number;
  /** CPU time of the process (all threads, GC included) during the open and first read: less moved by other jobs on the machine than openMs. */
  readonly cpuMs: number;
  readonly peakRssBytes: number;
  readonly rssBeforeBytes: number;
  /** RSS, V8 heap used, and memory outside the heap (Buffers), before the open and after the first read. */
  readonly rssAfterBytes: number;
  readonly heapBeforeBytes: number;
  readonly heapAfterBytes: number;
  readonly externalBeforeBytes: number;
  readonly externalAfterBytes: number;
}

/** Opens `dir` in a fresh process (the same loader flags as this one, so TypeScript runs). */
export async function openInChild(spec: SystemSpec, dir: string, key: string): Promise<ChildReport> {
  const { stdout } = await run(process.execPath, [...process.execArgv, childPath, spec.name, dir, key], {
    maxBuffer: megabyte,
  });
  return JSON.parse(stdout) as ChildReport;
}

/**
 * Builds the dataset in `dir` once per adapter, compacted or not; later runs reuse it (a marker
 * file beside it says it is complete).
 */
async function ensureDataset(spec: SystemSpec, dir: string, sizes: Sizes, compacted: boolean): Promise<void> {
  const marker = `${dir}.complete`;
  if (existsSync(marker)) return;
  await mkdir(dir, { recursive: true });
  await withAdapter(spec, dir, async (adapter) => {
    await prefill(adapter, entries(sizes.coldStartKeys, sizes.coldStartUpdates));
    if (!compacted) return;
    if (!adapter.compact) throw new Error(`${spec.name} cannot compact`);
    await adapter.compact();
  });
  await writeFile(marker, "");
}

function report(child: ChildReport, prefix: string): Metrics {
  return {
    [`${prefix}Ms`]: child.openMs,
    [`${prefix}CpuMs`]: child.cpuMs,
    [`${prefix}PeakRssMB`]: child.peakRssBytes / megabyte,
    [`${prefix}RssGrowthMB`]: Math.max(0, child.peakRssBytes - child.rssBeforeBytes) / megabyte,
  };
}

export const coldStart: Workload = {
  name: "cold-start",
  title: "Cold start: open + first read in a new process, after 100k keys and 400k updates (~200-byte values)",
  columns: [
    { key: "valueBytes", label: "value B", digits: 0 },
    { key: "openMs", label: "open+get ms", digits: 1 },
    { key: "openCpuMs", label: "CPU ms", digits: 0 },
    { key: "openPeakRssMB", label: "peak RSS MB", digits: 0 },
    { key: "openRssGrowthMB", label: "RSS growth MB", digits: 0 },
    { key: "compactedMs", label: "compacted ms", digits: 1 },
    { key: "compactedCpuMs", label: "compacted CPU ms", digits: 0 },
    { key: "compactedPeakRssMB", label: "compacted RSS MB", digits: 0 },
  ],
  headline: { key: "openMs", better: "lower" },
  limit: null,
  // The disk-limit loops keep no state to load; the interval variant writes the same files as "always".
  appliesTo: (spec) => isAdapterSpec(spec) && !isLimit(spec) && !(spec.role === "ours" && !spec.durable),
  run: async (spec, { keepDir, sizes }) => {
    const key = playerKey(sizes.coldStartKeys - 1);
    const dir = join(keepDir, "as-written");
    await ensureDataset(spec, dir, sizes, false);
    const metrics: Metrics = {
      records: sizes.coldStartKeys + sizes.coldStartUpdates,
      // The JSON of one stored value: the workload's value size, shown beside its figures.
      valueBytes: Buffer.byteLength(JSON.stringify(player(sizes.coldStartKeys - 1, 1))),
      ...report(await openInChild(spec, dir, key), "open"),
    };
    if (spec.role === "ours") {
      const compactedDir = join(keepDir, "compacted");
      await ensureDataset(spec, compactedDir, sizes, true);
      Object.assign(metrics, report(await openInChild(spec, compactedDir, key), "compacted"));
    }
    return metrics;
  },
};
