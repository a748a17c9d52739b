import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StoreError } from "@store/fs";
import { createCompactionScheduler, SchedulerStoppedError, type CompactionRun, type CompactionStats } from "../src/index.js";
import { FakeTarget, MiB } from "./fake-target.js";

const checkIntervalMs = 1_000;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("one compaction at a time", () => {
  it("a slow compaction is never overlapped by checks or runNow", async () => {
    const target = new FakeTarget();
    target.hold = true;
    const scheduler = createCompactionScheduler(target, { checkIntervalMs });
    target.set(4 * MiB, 0);
    await vi.advanceTimersByTimeAsync(checkIntervalMs);
    expect(target.compactCalls).toBe(1);
    const manual = [scheduler.runNow(), scheduler.runNow()];
    await vi.advanceTimersByTimeAsync(100 * checkIntervalMs);
    expect(scheduler.running).toBe(true);
    target.release();
    const runs = await Promise.all(manual);
    expect(runs[0]).toBe(runs[1]);
    expect(runs[0]?.trigger).toBe("garbage"); // runNow waited for the background run
    expect(target.compactCalls).toBe(1);
    expect(target.inFlightMax).toBe(1);
    await scheduler.stop();
  });

  it("runNow compacts at once even when the policy would not", async () => {
    const target = new FakeTarget();
    const listener: CompactionRun[] = [];
    const scheduler = createCompactionScheduler(target, { checkIntervalMs });
    const unsubscribe = scheduler.subscribe((run) => listener.push(run));
    target.set(100, 90);
    const run = await scheduler.runNow();
    expect(run).toEqual({ trigger: "manual", startedAtMs: 1_000_000, durationMs: 0, bytesBefore: 100, bytesAfter: 90 });
    expect(listener).toEqual([run]);
    unsubscribe();
    await scheduler.runNow();
    expect(listener).toHaveLength(1);
    await scheduler.stop();
  });

  it("runNow after stop is refused with STORE_CLOSED", async () => {
    const scheduler = createCompactionScheduler(new FakeTarget(), { checkIntervalMs });
    await scheduler.stop();
    await expect(scheduler.runNow()).rejects.toBeInstanceOf(SchedulerStoppedError);
    await expect(scheduler.runNow()).rejects.toBeInstanceOf(StoreError);
    await expect(scheduler.runNow()).rejects.toMatchObject({ code: "STORE_CLOSED", name: "SchedulerStoppedError" });
  });
});

describe("stop", () => {
  it("stop during a run waits for it and leaves no timer", async () => {
    const target = new FakeTarget();
    target.hold = true;
    const scheduler = createCompactionScheduler(target, { checkIntervalMs });
    target.set(4 * MiB, 0);
    await vi.advanceTimersByTimeAsync(checkIntervalMs);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(10 * checkIntervalMs);
    expect(stopped).toBe(false);
    target.release();
    await stopping;
    expect(target.inFlight).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await scheduler.stop(); // idempotent
    target.set(4 * MiB, 0);
    await vi.advanceTimersByTimeAsync(10 * checkIntervalMs);
    expect(target.compactCalls).toBe(1);
  });

  it("stop while a check awaits stats starts no compaction", async () => {
    const target = new FakeTarget();
    let releaseStats: () => void = () => undefined;
    const scheduler = createCompactionScheduler(
      { stats: () => new Promise((resolve) => (releaseStats = () => { resolve(target.stats()); })), compact: () => target.compact() },
      { checkIntervalMs },
    );
    target.set(4 * MiB, 0);
    await vi.advanceTimersByTimeAsync(checkIntervalMs);
    const stopping = scheduler.stop();
    releaseStats();
    await stopping;
    await vi.advanceTimersByTimeAsync(0);
    expect(target.compactCalls).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

/** A promise the test settles by hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

describe("stop waits for what runNow started", () => {
  it("a runNow still awaiting an async stats() compacts before stop() resolves, and nothing starts after", async () => {
    const events: string[] = [];
    const stats = deferred<CompactionStats>();
    const compacted = deferred<undefined>();
    const scheduler = createCompactionScheduler(
      {
        stats: () => {
          events.push("stats");
          return stats.promise;
        },
        compact: async () => {
          events.push("compact start");
          await compacted.promise;
          events.push("compact end");
        },
      },
      { checkIntervalMs },
    );
    const manual = scheduler.runNow();
    const stopping = scheduler.stop().then(() => events.push("stopped"));
    stats.resolve({ totalBytes: 100, liveBytes: 10, lastCompactionAtMs: null });
    await vi.advanceTimersByTimeAsync(0); // every pending promise reaction has run
    expect(events).toEqual(["stats", "compact start"]);
    expect(scheduler.running).toBe(true);
    compacted.resolve(undefined);
    await stopping;
    expect(events.slice(0, 3)).toEqual(["stats", "compact start", "compact end"]);
    expect(events.at(-1)).toBe("stopped");
    expect(await manual).toMatchObject({ trigger: "manual", bytesBefore: 100 });
    expect(scheduler.running).toBe(false);
    const before = events.length;
    await expect(scheduler.runNow()).rejects.toMatchObject({ code: "STORE_CLOSED" });
    await vi.advanceTimersByTimeAsync(100 * checkIntervalMs);
    expect(events).toHaveLength(before);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a compaction started by runNow is over when stop() resolves", async () => {
    const target = new FakeTarget();
    target.hold = true;
    target.set(100, 10);
    const scheduler = createCompactionScheduler(target, { checkIntervalMs });
    const manual = scheduler.runNow();
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(target.inFlight).toBe(1);
    expect(stopped).toBe(false);
    target.release();
    await stopping;
    expect(target.inFlight).toBe(0);
    expect((await manual).error).toBeUndefined();
  });

  it("a runNow whose stats() fails does not make stop() reject", async () => {
    const failure = new Error("stats broke");
    const scheduler = createCompactionScheduler({ stats: () => Promise.reject(failure), compact: async () => undefined }, { checkIntervalMs });
    const manual = scheduler.runNow();
    await scheduler.stop();
    await expect(manual).rejects.toBe(failure);
  });
});

describe("options", () => {
  it("a misspelled option is a TypeError naming it, the likely intended one and every known one", () => {
    const target = new FakeTarget();
    const misspelled = { checkIntervalMS: 5 } as unknown as { checkIntervalMs: number };
    expect(() => createCompactionScheduler(target, misspelled)).toThrow(TypeError);
    expect(() => createCompactionScheduler(target, misspelled)).toThrow(
      'createCompactionScheduler: unknown option "checkIntervalMS" (did you mean "checkIntervalMs"?). The options are minBytes, garbageRatioMin, maxBytes, maxAgeMs, checkIntervalMs, backoffInitialMs, backoffMaxMs, onRun, onError, clock.',
    );
    expect(() => createCompactionScheduler(target, { minByte: 1 } as unknown as { minBytes: number })).toThrow(/unknown option "minByte"\. The options are minBytes/);
    expect(vi.getTimerCount()).toBe(0); // nothing was started
  });

  it("a target or options of the wrong shape, and callbacks that are not functions, are TypeErrors quoting them", () => {
    const target = new FakeTarget();
    expect(() => createCompactionScheduler(null as unknown as FakeTarget)).toThrow(/target must be an object with stats\(\) and compact\(\).*got null/);
    expect(() => createCompactionScheduler(target, null as unknown as object)).toThrow(/options must be an object, got null/);
    expect(() => createCompactionScheduler(target, { onError: "log" as unknown as () => void })).toThrow(/options\.onError must be a function, got "log"/);
  });
});

describe("failures", () => {
  it("backoff doubles from backoffInitialMs, caps at backoffMaxMs, and resets after a success", async () => {
    const target = new FakeTarget();
    const errors: unknown[] = [];
    const runs: CompactionRun[] = [];
    const policy = { checkIntervalMs: 60_000, backoffInitialMs: 1_000, backoffMaxMs: 8_000 };
    const scheduler = createCompactionScheduler(target, { ...policy, onError: (e) => errors.push(e), onRun: (r) => runs.push(r) });
    const failures = Array.from({ length: 6 }, (_, i) => new Error(`disk full ${i}`));
    target.failures = [...failures];
    target.set(4 * MiB, 0);
    await vi.advanceTimersByTimeAsync(60_000 + 1_000 + 2_000 + 4_000 + 8_000 + 8_000 + 8_000);
    const starts = target.compactStartsAtMs.map((at) => at - 1_000_000);
    expect(starts).toEqual([60_000, 61_000, 63_000, 67_000, 75_000, 83_000, 91_000]);
    expect(errors).toEqual(failures);
    expect(runs.slice(0, 6).map((run) => run.error)).toEqual(failures);
    expect(runs.slice(0, 6).every((run) => run.bytesAfter === null)).toBe(true);
    expect(runs[6]?.error).toBeUndefined();
    expect(scheduler.failures).toBe(0);
    // After the success, the next failure waits backoffInitialMs again.
    target.failures = [new Error("again")];
    target.set(4 * MiB, 0);
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(target.compactStartsAtMs.slice(7).map((at) => at - 1_000_000)).toEqual([151_000, 152_000]);
    await scheduler.stop();
  });

  it("a failing stats() is reported and backed off", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const failure = new Error("stats broke");
    const scheduler = createCompactionScheduler(
      { stats: () => { calls += 1; throw failure; }, compact: async () => undefined },
      { checkIntervalMs, backoffInitialMs: 5_000, backoffMaxMs: 5_000, onError: (error) => errors.push(error) },
    );
    await vi.advanceTimersByTimeAsync(checkIntervalMs + 4_999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    expect(errors).toEqual([failure, failure]);
    expect(scheduler.lastError).toBe(failure);
    await scheduler.stop();
  });

  it("a throwing listener is reported and does not stop the others", async () => {
    const target = new FakeTarget();
    const errors: unknown[] = [];
    const seen: string[] = [];
    const scheduler = createCompactionScheduler(target, { checkIntervalMs, onError: (error) => errors.push(error) });
    scheduler.subscribe(() => { throw new Error("bad listener"); });
    scheduler.subscribe((run) => seen.push(run.trigger));
    await scheduler.runNow();
    expect(seen).toEqual(["manual"]);
    expect(errors).toMatchObject([{ message: "bad listener" }]);
    await scheduler.stop();
  });

  it("without onError a failure becomes a process warning", async () => {
    const target = new FakeTarget();
    target.failures = [new Error("no space")];
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const scheduler = createCompactionScheduler(target, { checkIntervalMs });
    const run = await scheduler.runNow();
    expect(run.error).toMatchObject({ message: "no space" });
    expect(warn).toHaveBeenCalledWith(run.error);
    warn.mockRestore();
    await scheduler.stop();
  });
});

describe("stats after a compaction", () => {
  it("a stats() failure after a successful compaction is reported, and the run still counts as a success", async () => {
    const target = new FakeTarget();
    const errors: unknown[] = [];
    let statsCalls = 0;
    const failure = new Error("stats broke after compaction");
    const scheduler = createCompactionScheduler(
      {
        stats: () => {
          statsCalls += 1;
          if (statsCalls === 2) throw failure;
          return target.stats();
        },
        compact: () => target.compact(),
      },
      { checkIntervalMs, onError: (error) => errors.push(error) },
    );
    target.set(500, 100);
    const run = await scheduler.runNow();
    expect(run).toEqual({ trigger: "manual", startedAtMs: 1_000_000, durationMs: 0, bytesBefore: 500, bytesAfter: null });
    expect(errors).toEqual([failure]);
    expect(scheduler.failures).toBe(0);
    await scheduler.stop();
  });
});
