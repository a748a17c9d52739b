import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { openStore, StoreError, type ChangeEvent } from "../src/index.js";
import { player, tempDir } from "./helpers.js";

describe("the keyspace API", () => {
  it("reads back what was set, after close and reopen", async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    await store.set("players/1", player(1));
    await store.set("players/2", player(2));
    await store.delete("players/1");
    expect(store.get("players/2")).toEqual(player(2));
    expect(store.has("players/1")).toBe(false);
    await store.close();
    const reopened = await openStore(dir);
    expect(reopened.get("players/2")).toEqual(player(2));
    expect(reopened.get("players/1")).toBeUndefined();
    expect(reopened.seq).toBe(3);
    await reopened.close();
  });

  it("versions are the seq of each key's last write", async () => {
    const store = await openStore(await tempDir());
    const first = await store.set("a", 1);
    const second = await store.set("b", 2);
    await store.set("a", 3);
    expect(second.seq).toBe(first.seq + 1);
    expect(store.version("b")).toBe(second.seq);
    expect(store.version("a")).toBe(3);
    expect(store.version("missing")).toBeUndefined();
    await store.close();
  });

  it("scan returns keys under a prefix in sorted order", async () => {
    const store = await openStore(await tempDir());
    for (const key of ["b/2", "a/1", "b/10", "b/1", "c", "b"]) await store.set(key, key);
    expect([...store.scan("b/")].map(([key]) => key)).toEqual(["b/1", "b/10", "b/2"]);
    expect([...store.scan()].map(([key]) => key)).toEqual(["a/1", "b", "b/1", "b/10", "b/2", "c"]);
    await store.delete("b/10");
    await store.set("b/0", 0);
    expect([...store.scan("b/")].map(([key]) => key)).toEqual(["b/0", "b/1", "b/2"]);
    await store.close();
  });

  it("values handed out are frozen copies, not the caller's objects", async () => {
    const store = await openStore(await tempDir());
    const value = { nested: { count: 1 } };
    await store.set("k", value);
    value.nested.count = 99;
    const read = store.get("k") as { nested: { count: number } };
    expect(read.nested.count).toBe(1);
    expect(Object.isFrozen(read.nested)).toBe(true);
    await store.close();
  });

  it("a batch applies all its operations as one record with one seq", async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    await store.set("gone", true);
    const { seq } = await store.batch([
      { type: "set", key: "x", value: 1 },
      { type: "set", key: "y", value: 2 },
      { type: "delete", key: "gone" },
    ]);
    expect(store.version("x")).toBe(seq);
    expect(store.version("y")).toBe(seq);
    expect(store.has("gone")).toBe(false);
    await store.close();
  });

  it("a failed precondition rejects with STORE_CONFLICT and writes nothing", async () => {
    const store = await openStore(await tempDir());
    const { seq } = await store.set("balance/a", 10);
    const before = store.stats();
    await expect(store.batch([{ type: "set", key: "balance/a", value: 5, ifVersion: seq + 1 }])).rejects.toMatchObject({ code: "STORE_CONFLICT", key: "balance/a" });
    await expect(store.batch([{ type: "set", key: "balance/a", value: 5, ifVersion: null }])).rejects.toMatchObject({ code: "STORE_CONFLICT" });
    expect(store.stats().seq).toBe(before.seq);
    expect(store.stats().totalBytes).toBe(before.totalBytes);
    await store.batch([{ type: "set", key: "balance/a", value: 5, ifVersion: seq }]);
    expect(store.get("balance/a")).toBe(5);
    await store.close();
  });

  it("preconditions see writes submitted earlier but not yet durable", async () => {
    const store = await openStore(await tempDir());
    const { seq } = await store.set("k", 0);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) => store.batch([{ type: "set", key: "k", value: index + 1, ifVersion: seq }])),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((result) => result.status === "rejected")).toHaveLength(19);
    expect(store.get("k")).toBe(1);
    await store.close();
  });

  it("subscribers hear each durable write in seq order", async () => {
    const store = await openStore(await tempDir());
    const events: ChangeEvent[] = [];
    const unsubscribe = store.subscribe((event) => events.push(event));
    await Promise.all([store.set("a", 1), store.delete("b"), store.batch([{ type: "set", key: "c", value: 3 }])]);
    unsubscribe();
    await store.set("d", 4);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(events[1]?.ops).toEqual([{ type: "delete", key: "b" }]);
    await store.close();
  });

  it("concurrent writers share flushes (group commit)", async () => {
    const store = await openStore(await tempDir());
    const flushesBefore = store.stats().flushes;
    await Promise.all(Array.from({ length: 1000 }, (_, index) => store.set(`k${index % 100}`, index)));
    const flushes = store.stats().flushes - flushesBefore;
    expect(flushes).toBeGreaterThan(0);
    expect(flushes).toBeLessThan(100);
    await store.close();
  });

  it("writers that each await their previous write share flushes too", async () => {
    const store = await openStore(await tempDir());
    const writers = 64;
    const rounds = 20;
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let round = 0; round < rounds; round += 1) await store.set(`w${writer}`, round);
      }),
    );
    // One flush per round would be 20; one per write 1280. Allow some slack for stragglers.
    expect(store.stats().flushes).toBeLessThanOrEqual(rounds * 3);
    await store.close();
  });

  it("close is idempotent and later writes reject with STORE_CLOSED", async () => {
    const store = await openStore(await tempDir());
    const pending = store.set("k", 1);
    await Promise.all([store.close(), store.close()]);
    await expect(pending).resolves.toMatchObject({ seq: 1 });
    await expect(store.set("k", 2)).rejects.toMatchObject({ code: "STORE_CLOSED" });
  });

  it("a read-only open takes no lock, sees the data and refuses writes", async () => {
    const dir = await tempDir();
    const writer = await openStore(dir);
    await writer.set("k", "v");
    const reader = await openStore(dir, { readOnly: true });
    expect(reader.get("k")).toBe("v");
    await expect(reader.set("k", "w")).rejects.toMatchObject({ code: "STORE_READ_ONLY" });
    await expect(reader.compact()).rejects.toMatchObject({ code: "STORE_READ_ONLY" });
    await reader.close();
    await writer.close();
    await expect(openStore(`${dir}/missing`, { readOnly: true })).rejects.toBeInstanceOf(StoreError);
  });

  it("a second writer in the same process gets STORE_LOCKED", async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    await expect(openStore(dir)).rejects.toMatchObject({ code: "STORE_LOCKED" });
    await store.close();
    const again = await openStore(dir);
    await again.close();
  });

  it("checkpoint makes interval and none writes durable", async () => {
    for (const sync of ["interval", "none"] as const) {
      const store = await openStore(await tempDir(), { sync, syncIntervalMs: 60_000 });
      await store.set("k", 1);
      const flushesBefore = store.stats().flushes;
      await store.checkpoint();
      expect(store.stats().flushes).toBe(flushesBefore + 1);
      await store.close();
    }
  });

  it("segments roll over at segmentBytesMax and replay in order", async () => {
    const dir = await tempDir();
    const store = await openStore(dir, { segmentBytesMax: 2048 });
    for (let index = 0; index < 200; index += 1) await store.set(`k${index % 17}`, player(index));
    expect(store.stats().segments).toBeGreaterThan(5);
    await store.close();
    expect((await readdir(dir)).filter((name) => name.endsWith(".log")).length).toBeGreaterThan(5);
    const reopened = await openStore(dir);
    expect(reopened.get("k5")).toEqual(player(192));
    expect(reopened.seq).toBe(200);
    await reopened.close();
  });
});
