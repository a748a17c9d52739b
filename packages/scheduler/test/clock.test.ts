import type { Clock } from "@store/fs";
import { ManualClock } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { backoffDelayMs, createCompactionScheduler, resolvePolicy, type CompactionRun, type CompactionStats, type CompactionTarget } from "../src/index.js";

/** A target on the manual clock, so its lastCompactionAtMs is in the same time as the scheduler's. */
function targetOn(clock: Clock, stats: Omit<CompactionStats, "lastCompactionAtMs">, failures = 0): CompactionTarget & { compactAtMs: number[] } {
  let current: CompactionStats = { ...stats, lastCompactionAtMs: null };
  let failuresLeft = failures;
  const compactAtMs: number[] = [];
  return {
    compactAtMs,
    stats: () => current,
    compact: () => {
      compactAtMs.push(clock.now());
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        return Promise.reject(new Error("disk full"));
      }
      current = { totalBytes: current.liveBytes, liveBytes: current.liveBytes, lastCompactionAtMs: clock.now() };
      return Promise.resolve();
    },
  };
}

const HOUR_MS = 3_600_000;

describe("the injected clock decides time-based rules", () => {
  it("the age trigger fires once maxAgeMs has passed on the clock, not before, without waiting", async () => {
    const clock = new ManualClock(1_000_000);
    const target = targetOn(clock, { totalBytes: 200, liveBytes: 100 });
    const runs: CompactionRun[] = [];
    const scheduler = createCompactionScheduler(target, { clock, maxAgeMs: 24 * HOUR_MS, checkIntervalMs: HOUR_MS, onRun: (run) => runs.push(run) });
    await clock.advance(23 * HOUR_MS);
    expect(target.compactAtMs).toEqual([]);
    await clock.advance(HOUR_MS);
    expect(target.compactAtMs).toEqual([1_000_000 + 24 * HOUR_MS]);
    expect(runs).toMatchObject([{ trigger: "age", startedAtMs: 1_000_000 + 24 * HOUR_MS, durationMs: 0, bytesBefore: 200, bytesAfter: 100 }]);
    // Nothing is dead any more: a week on the clock starts no other compaction.
    await clock.advance(7 * 24 * HOUR_MS);
    expect(target.compactAtMs).toHaveLength(1);
    await scheduler.stop();
  });

  it("after failures the next attempts follow the backoff on the clock, then the check interval again", async () => {
    const clock = new ManualClock(0);
    const options = { clock, minBytes: 0, checkIntervalMs: 60_000, backoffInitialMs: 1_000, backoffMaxMs: 8_000, onError: () => undefined };
    const target = targetOn(clock, { totalBytes: 100, liveBytes: 10 }, 5);
    const scheduler = createCompactionScheduler(target, options);
    await clock.advance(60_000 + 1_000 + 2_000 + 4_000 + 8_000 + 8_000);
    const policy = resolvePolicy(options);
    const expected = [60_000];
    for (let failures = 1; failures <= 5; failures += 1) expected.push(expected.at(-1)! + backoffDelayMs(failures, policy));
    expect(target.compactAtMs).toEqual(expected);
    expect(expected.slice(1).map((atMs, index) => atMs - expected[index]!)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(scheduler.failures).toBe(0);
    await scheduler.stop();
  });

  it("stop() cancels the clock's pending timer", async () => {
    const clock = new ManualClock(0);
    const target = targetOn(clock, { totalBytes: 100, liveBytes: 10 });
    const scheduler = createCompactionScheduler(target, { clock, minBytes: 0, checkIntervalMs: 1_000 });
    await scheduler.stop();
    await clock.advance(10_000);
    expect(target.compactAtMs).toEqual([]);
  });

  it("a clock without now() and setTimer() is a TypeError", () => {
    const target = targetOn(new ManualClock(0), { totalBytes: 0, liveBytes: 0 });
    expect(() => createCompactionScheduler(target, { clock: { now: () => 0 } as unknown as Clock })).toThrow(
      new TypeError("createCompactionScheduler: options.clock must be a clock: an object with now() and setTimer(callback, delayMs) methods."),
    );
  });
});
