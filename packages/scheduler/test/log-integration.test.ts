import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type JsonValue, type Store } from "@store/log";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createCompactionScheduler, type CompactionRun, type CompactionTarget } from "../src/index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "scheduler-log-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEYS = 50;
const GROUPS = 60;
const GROUP_WRITES = 100;
const minBytes = 64 * 1024;
// Between two checks at most one group lands (about 30 KiB); a compaction brings the log back to
// its live bytes (about 15 KiB). So the log must never pass minBytes plus two groups.
const budgetBytes = 256 * 1024;

/** Resolves once the scheduler has finished at least one whole check that began after now. */
async function twoChecksLater(checks: () => number): Promise<void> {
  const target = checks() + 2;
  while (checks() < target) await new Promise((resolve) => setTimeout(resolve, 1));
}

it("the log's store is a CompactionTarget as it is", async () => {
  const store = await openStore(dir);
  const target: CompactionTarget = store;
  const run = await createCompactionScheduler(target).runNow();
  expect(run.trigger).toBe("manual");
  expect(run.bytesAfter).toBe(store.stats().totalBytes);
  expect(run.error).toBeUndefined();
  await store.close();
});

it("runNow() then stop(): the store's compaction is over when stop() resolves", async () => {
  const store = await openStore(dir);
  for (let i = 0; i < 200; i += 1) await store.set(`players/p${i % 10}`, { i, padding: "x".repeat(100) });
  const scheduler = createCompactionScheduler(store);
  const manual = scheduler.runNow();
  await scheduler.stop();
  expect(scheduler.running).toBe(false);
  expect(store.stats().lastCompactionAtMs).not.toBeNull();
  expect(store.stats().totalBytes).toBeLessThan(200 * 100);
  expect((await manual).error).toBeUndefined();
  await store.close();
});

it("a store under a steady overwrite load stays within its size budget and loses nothing", async () => {
  let store: Store = await openStore(dir);
  let checks = 0;
  const target: CompactionTarget = {
    stats: () => {
      checks += 1;
      return store.stats();
    },
    compact: () => store.compact(),
  };
  const runs: CompactionRun[] = [];
  const errors: unknown[] = [];
  const scheduler = createCompactionScheduler(target, { minBytes, garbageRatioMin: 0.5, checkIntervalMs: 1, onRun: (run) => runs.push(run), onError: (e) => errors.push(e) });
  const expected = new Map<string, JsonValue>();
  let written = 0;
  let largestBytes = 0;
  for (let group = 0; group < GROUPS; group += 1) {
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < GROUP_WRITES; i += 1) {
      const key = `players/p${(group * GROUP_WRITES + i) % KEYS}`;
      const value = { group, i, padding: "x".repeat(200) };
      expected.set(key, value);
      writes.push(store.set(key, value));
      written += 1;
    }
    await Promise.all(writes);
    largestBytes = Math.max(largestBytes, store.stats().totalBytes);
    await twoChecksLater(() => checks);
    const { totalBytes } = store.stats();
    expect(totalBytes, `after group ${group}`).toBeLessThanOrEqual(budgetBytes);
  }
  await scheduler.stop();
  expect(errors).toEqual([]);
  expect(runs.length).toBeGreaterThan(5);
  expect(runs.every((run) => run.trigger === "garbage" && run.error === undefined && run.bytesAfter !== null && run.bytesAfter < run.bytesBefore)).toBe(true);
  expect(written * 200).toBeGreaterThan(4 * budgetBytes); // without compaction the budget would not hold
  expect(largestBytes).toBeLessThanOrEqual(budgetBytes);
  await store.close();

  store = await openStore(dir);
  expect(new Map(store.scan())).toEqual(expected);
  await store.close();
});
