import type { Clock } from "@store/fs";
import { ManualClock } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { openStore, readLog } from "../src/index.js";
import { tempDir } from "./helpers.js";

// The store's time-based behaviour on an injected clock: record times (what point-in-time restore
// goes by), the last compaction's time (what a scheduler's age trigger goes by) and the interval sync.

const START_MS = Date.UTC(2030, 5, 1);

describe("the store on an injected clock", () => {
  it("records carry the clock's time, and stats() the last compaction's time on it", async () => {
    const clock = new ManualClock(START_MS);
    const store = await openStore(await tempDir(), { clock });
    await store.set("a", 1);
    await clock.advance(60_000);
    await store.batch([{ type: "set", key: "b", value: 2 }]);
    await clock.advance(60_000);
    await store.delete("a");
    const times: Array<[string, number]> = [];
    for await (const { record } of readLog(store.dir)) if (record.op === "set" || record.op === "del" || record.op === "batch") times.push([record.op, record.ts]);
    expect(times).toEqual([
      ["set", START_MS],
      ["batch", START_MS + 60_000],
      ["del", START_MS + 120_000],
    ]);
    await clock.advance(3_600_000);
    const result = await store.compact();
    expect(store.stats().lastCompactionAtMs).toBe(START_MS + 120_000 + 3_600_000);
    expect(result.durationMs).toBe(0);
    await store.close();
  });

  it('sync "interval" fdatasyncs when syncIntervalMs has passed on the clock, not before, and stops at close', async () => {
    const clock = new ManualClock(START_MS);
    const store = await openStore(await tempDir(), { clock, sync: "interval", syncIntervalMs: 5_000 });
    await store.set("a", 1);
    const flushesAfterWrite = store.stats().flushes;
    await clock.advance(4_999);
    expect(clock.fired).toBe(0);
    await clock.advance(1);
    expect(clock.fired).toBe(1);
    // The sync the timer started is real I/O: wait for it (a hang, not a slow disk, would stop here).
    while (store.stats().flushes === flushesAfterWrite) await new Promise((resolve) => setImmediate(resolve));
    expect(store.stats().flushes).toBe(flushesAfterWrite + 1);
    expect(clock.pendingTimers).toBe(1); // re-armed for the next interval
    await store.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it("a clock without now() and setTimer() is a TypeError", async () => {
    await expect(openStore(await tempDir(), { clock: { now: () => 0 } as unknown as Clock })).rejects.toThrow(
      new TypeError("openStore() option clock must be a clock: an object with now() and setTimer(callback, delayMs) methods."),
    );
  });
});
