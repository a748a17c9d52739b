/**
 * Child process of the cold-start workload: open a store that already holds data, read one key,
 * print how long that took and the process's peak memory as one JSON line.
 * Usage: cold-start-child.ts <adapter name> <dir> <key>
 */
import { findAdapterSpec } from "../adapters/index.js";

const [name, dir, key] = process.argv.slice(2);
if (name === undefined || dir === undefined || key === undefined) {
  throw new TypeError(`usage: cold-start-child.ts <adapter> <dir> <key>, got ${JSON.stringify(process.argv.slice(2))}`);
}
const adapter = await findAdapterSpec(name).create();
const before = process.memoryUsage();
const rssBeforeBytes = before.rss;
const cpuBefore = process.cpuUsage();
const start = performance.now();
await adapter.open(dir);
const value = await adapter.get(key);
const openMs = performance.now() - start;
const cpu = process.cpuUsage(cpuBefore);
const after = process.memoryUsage();
if (value === undefined || value === null) throw new Error(`${name} did not find ${key} in ${dir} after opening it`);
const peakRssBytes = process.resourceUsage().maxRSS * 1_024;
await adapter.close();
process.stdout.write(
  `${JSON.stringify({
    openMs,
    cpuMs: (cpu.user + cpu.system) / 1_000,
    peakRssBytes,
    rssBeforeBytes,
    rssAfterBytes: after.rss,
    heapBeforeBytes: before.heapUsed,
    heapAfterBytes: after.heapUsed,
    // external already counts ArrayBuffers (every Buffer) besides other memory V8 does not hold.
    externalBeforeBytes: before.external,
    externalAfterBytes: after.external,
  })}\n`,
);
