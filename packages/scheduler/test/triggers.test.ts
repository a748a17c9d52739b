import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createCompactionScheduler, type CompactionRun } from "../src/index.js";
import { FakeTarget, MiB } from "./fake-target.js";

const checkIntervalMs = 1_000;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("triggers", () => {
  it("garbage fires once the log is over minBytes and half dead, and not before", async () => {
    const target = new FakeTarget();
    const runs: CompactionRun[] = [];
    const scheduler = createCompactionScheduler(target, { checkIntervalMs, onRun: (run) => runs.push(run) });
    target.set(MiB - 1, 0); // all dead but under minBytes
    await vi.advanceTimersByTimeAsync(5 * checkIntervalMs);
    target.set(4 * MiB, 2 * MiB + 1); // over minBytes, just under half dead
    await vi.advanceTimersByTimeAsync(5 * checkIntervalMs);
    expect(target.compactCalls).toBe(0);
    target.set(4 * MiB, 2 * MiB); // exactly half dead
    await vi.advanceTimersByTimeAsync(checkIntervalMs);
    expect(target.compactCalls).toBe(1);
    expect(runs).toEqual([
      { trigger: "garbage", startedAtMs: 1_000_000 + 11 * checkIntervalMs, durationMs: 0, bytesBefore: 4 * MiB, bytesAfter: 2 * MiB },
    ]);
    await vi.advanceTimersByTimeAsync(10 * checkIntervalMs);
    expect(target.compactCalls).toBe(1); // nothing dead after compaction
    await scheduler.stop();
  });

  it("size fires at maxBytes whatever the garbage ratio, and only with something dead", async () => {
    const target = new FakeTarget();
    const runs: CompactionRun[] = [];
    const scheduler = createCompactionScheduler(target, { checkIntervalMs, maxBytes: 10 * MiB, onRun: (run) => runs.push(run) });
    target.set(10 * MiB, 10 * MiB); // at budget, nothing to reclaim
    await vi.advanceTimersByTimeAsync(3 * checkIntervalMs);
    target.set(10 * MiB - 1, 9 * MiB); // under budget, 10% dead
    await vi.advanceTimersByTimeAsync(3 * checkIntervalMs);
    expect(target.compactCalls).toBe(0);
    target.set(10 * MiB, 9 * MiB);
    await vi.advanceTimersByTimeAsync(checkIntervalMs);
    expect(runs.map((run) => run.trigger)).toEqual(["size"]);
    await scheduler.stop();
  });

  it("age fires maxAgeMs after the scheduler started when there was no compaction", async () => {
    const target = new FakeTarget();
    const runs: CompactionRun[] = [];
    const scheduler = createCompactionScheduler(target, { checkIntervalMs, maxAgeMs: 10_000, onRun: (run) => runs.push(run) });
    target.set(1_000, 999); // tiny, barely dead: only age can fire
    await vi.advanceTimersByTimeAsync(9_000);
    expect(target.compactCalls).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs.map((run) => run.trigger)).toEqual(["age"]);
    target.set(1_000, 999);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(target.compactCalls).toBe(1); // the clock restarted at the compaction
    await vi.advanceTimersByTimeAsync(1_000);
    expect(target.compactCalls).toBe(2);
    await scheduler.stop();
  });

  it("age counts from the target's last compaction when that is later", async () => {
    const target = new FakeTarget();
    const scheduler = createCompactionScheduler(target, { checkIntervalMs, maxAgeMs: 10_000 });
    target.stats_ = { totalBytes: 1_000, liveBytes: 10, lastCompactionAtMs: Date.now() + 5_000 };
    await vi.advanceTimersByTimeAsync(14_000);
    expect(target.compactCalls).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(target.compactCalls).toBe(1);
    await scheduler.stop();
  });

  it("age does not fire when nothing is dead, and is off by default", async () => {
    const target = new FakeTarget();
    const aged = createCompactionScheduler(target, { checkIntervalMs, maxAgeMs: 1_000 });
    target.set(1_000, 1_000);
    await vi.advanceTimersByTimeAsync(60_000);
    await aged.stop();
    const unaged = createCompactionScheduler(target, { checkIntervalMs: 60_000 });
    target.set(1_000, 1);
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(target.compactCalls).toBe(0);
    await unaged.stop();
  });

  it("checks only every checkIntervalMs", async () => {
    const target = new FakeTarget();
    const scheduler = createCompactionScheduler(target, { checkIntervalMs: 30_000 });
    target.set(4 * MiB, 0);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(target.compactCalls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(target.compactCalls).toBe(1);
    await scheduler.stop();
  });

  it("rejects a bad policy with a TypeError quoting the value", () => {
    const target = new FakeTarget();
    expect(() => createCompactionScheduler(target, { garbageRatioMin: 1.5 })).toThrow(/garbageRatioMin.*1\.5/);
    expect(() => createCompactionScheduler(target, { minBytes: -1 })).toThrow(TypeError);
    expect(() => createCompactionScheduler(target, { checkIntervalMs: Number.NaN })).toThrow(/checkIntervalMs.*NaN/);
    expect(() => createCompactionScheduler(target, { checkIntervalMs: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });
});
