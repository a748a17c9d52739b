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

/** What measureSets reads of the system: its own flush count, or the counters of its writing process. */
export interface Measured {
  /** True when the data lives outside `dir` (a database server's own folder): no file growth to count. */
  readonly dataElsewhere?: boolean;
  flushes?(): number | null;
  /** The process that writes, when it is not this one (a server): its flushes and bytes sent to storage. */
  writerCounters?(): Promise<{ readonly flushes: number | null; readonly writeBytes: number | null }>;
}

async function counters(system: Measured): Promise<{ io: number | null; flushes: number | null }> {
  // A database server writes in its own processes, which this one cannot see.
  if (system.dataElsewhere === true) return { io: null, flushes: system.flushes?.() ?? null };
  if (system.writerCounters === undefined) return { io: processWriteBytes(), flushes: system.flushes?.() ?? null };
  const writer = await system.writerCounters();
  return { io: writer.writeBytes, flushes: writer.flushes };
}

/**
 * Runs `task` (which performs and times sets on an open adapter in `dir`) and adds the disk's side:
 * bytes sent to storage by the writing process (this one, or the system's server), growth of the
 * files, flushes counted by the system and by the device (device-wide: other processes' flushes
 * count too).
 */
export async function measureSets(system: Measured, dir: string, task: () => Promise<SetsOutcome>): Promise<Metrics> {
  const device = deviceFlushCounter(dir);
  const own = await counters(system);
  const before = { ...own, files: dirBytes(dir), device: device?.() ?? null };
  const outcome = await task();
  const after = await counters(system);
  const sets = outcome.latenciesMs.length;
  const latency = summarizeLatencies(outcome.latenciesMs);
  return {
    sets,
    setsPerSec: (sets / outcome.elapsedMs) * 1_000,
    p50Ms: latency.p50Ms,
    p99Ms: latency.p99Ms,
    maxMs: latency.maxMs,
    bytesPerSet: perSet(difference(before.io, after.io), sets),
    fileBytesPerSet: system.dataElsewhere === true ? null : perSet(dirBytes(dir) - before.files, sets),
    flushesPerSet: perSet(difference(before.flushes, after.flushes), sets),
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
