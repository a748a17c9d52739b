import type { Adapter } from "./adapter.js";
import { deviceFlushCounter, dirBytes, processWriteBytes } from "./probes.js";
import { summarizeLatencies } from "./stats.js";
import type { Metrics } from "./workload.js";

/** What a timed stretch of sets did: how many, how fast, and what it cost the disk. */
export interface SetsOutcome {
  readonly latenciesMs: readonly number[];
  readonly elapsedMs: number;
}

function perSet(delta: number | null, sets: number): number | null {
  return delta === null || sets === 0 ? null : delta / sets;
}

function difference(before: number | null, after: number | null): number | null {
  return before === null || after === null ? null : after - before;
}

/**
 * Runs `task` (which performs and times sets on an open adapter in `dir`) and adds the disk's side:
 * bytes sent to storage by this process, growth of the files, flushes counted by the adapter and by
 * the device (device-wide: other processes' flushes count too).
 */
export async function measureSets(adapter: Pick<Adapter, "flushes">, dir: string, task: () => Promise<SetsOutcome>): Promise<Metrics> {
  const device = deviceFlushCounter(dir);
  const before = {
    io: processWriteBytes(),
    files: dirBytes(dir),
    flushes: adapter.flushes?.() ?? null,
    device: device?.() ?? null,
  };
  const outcome = await task();
  const sets = outcome.latenciesMs.length;
  const latency = summarizeLatencies(outcome.latenciesMs);
  return {
    sets,
    setsPerSec: (sets / outcome.elapsedMs) * 1_000,
    p50Ms: latency.p50Ms,
    p99Ms: latency.p99Ms,
    maxMs: latency.maxMs,
    bytesPerSet: perSet(difference(before.io, processWriteBytes()), sets),
    fileBytesPerSet: perSet(dirBytes(dir) - before.files, sets),
    flushesPerSet: perSet(difference(before.flushes, adapter.flushes?.() ?? null), sets),
    deviceFlushesPerSet: perSet(difference(before.device, device?.() ?? null), sets),
  };
}

/** Times each awaited set; stops after `count` sets or `timeMaxMs`, whichever is first. */
export async function timedSequentialSets(
  count: number,
  timeMaxMs: number,
  set: (n: number) => Promise<void>,
): Promise<SetsOutcome> {
  const latenciesMs: number[] = [];
  const start = performance.now();
  for (let n = 0; n < count && performance.now() - start < timeMaxMs; n++) {
    const before = performance.now();
    await set(n);
    latenciesMs.push(performance.now() - before);
  }
  return { latenciesMs, elapsedMs: performance.now() - start };
}
