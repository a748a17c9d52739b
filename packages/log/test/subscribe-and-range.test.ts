import { describe, expect, it } from "vitest";
import { openStore, type ChangeEvent } from "../src/index.js";
import { tempDir } from "./helpers.js";

describe("subscriptions", () => {
  it("a listener for seq N sees the state as of seq N, even when its group committed later writes", async () => {
    const store = await openStore(await tempDir());
    const seen: Array<{ seq: number; value: unknown; version: number | undefined }> = [];
    store.subscribe((event) => seen.push({ seq: event.seq, value: store.get("k"), version: store.version("k") }));
    // Submitted in one synchronous run: one group commit applies all of them.
    await Promise.all(Array.from({ length: 20 }, (_, index) => store.set("k", index)));
    expect(seen.map(({ seq }) => seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    for (const { seq, value, version } of seen) {
      expect(version).toBe(seq);
      expect(value).toBe(seq - 1);
    }
    await store.close();
  });

  it("resumes after a seq: the kept writes are replayed first, then live ones, none missed or repeated", async () => {
    const store = await openStore(await tempDir(), { changeHistoryMax: 100 });
    for (let index = 0; index < 10; index += 1) await store.batch([{ type: "set", key: `k${index}`, value: index }, { type: "delete", key: `gone${index}` }]);
    const events: ChangeEvent[] = [];
    store.subscribe((event) => events.push(event), { afterSeq: 6 });
    expect(events.map(({ seq }) => seq)).toEqual([7, 8, 9, 10]);
    expect(events[0]!.ops).toEqual([
      { type: "set", key: "k6", value: 6 },
      { type: "delete", key: "gone6" },
    ]);
    await store.set("k10", 10);
    expect(events.map(({ seq }) => seq)).toEqual([7, 8, 9, 10, 11]);
    await store.close();
  });

  it("resuming from further back than the history keeps is STORE_HISTORY_GONE, as is a seq the store never reached", async () => {
    const dir = await tempDir();
    const store = await openStore(dir, { changeHistoryMax: 3 });
    for (let index = 0; index < 10; index += 1) await store.set("k", index);
    expect(() => store.subscribe(() => undefined, { afterSeq: 6 })).toThrow(expect.objectContaining({ code: "STORE_HISTORY_GONE" }));
    expect(() => store.subscribe(() => undefined, { afterSeq: 7 })).not.toThrow();
    expect(() => store.subscribe(() => undefined, { afterSeq: 11 })).toThrow(expect.objectContaining({ code: "STORE_HISTORY_GONE" }));
    await store.close();
    // History lives in memory: after a reopen it starts at the reopened seq.
    const reopened = await openStore(dir);
    expect(() => reopened.subscribe(() => undefined, { afterSeq: 9 })).toThrow(expect.objectContaining({ code: "STORE_HISTORY_GONE" }));
    expect(() => reopened.subscribe(() => undefined, { afterSeq: 10 })).not.toThrow();
    await reopened.close();
  });
});

describe("after close", () => {
  it("reads and subscriptions fail with STORE_CLOSED like writes", async () => {
    const store = await openStore(await tempDir());
    await store.set("k", 1);
    await store.close();
    for (const read of [() => store.get("k"), () => store.getEntry("k"), () => store.has("k"), () => store.version("k"), () => store.scan(), () => store.range(), () => store.subscribe(() => undefined)]) {
      expect(read).toThrow(expect.objectContaining({ code: "STORE_CLOSED" }));
    }
    await expect(store.set("k", 2)).rejects.toMatchObject({ code: "STORE_CLOSED" });
  });
});

describe("range", () => {
  it("pages through a prefix in both directions, each key once, with values and versions", async () => {
    const store = await openStore(await tempDir());
    const keys = Array.from({ length: 1500 }, (_, index) => `p/${String(index).padStart(5, "0")}`);
    for (let start = 0; start < keys.length; start += 500) await store.batch(keys.slice(start, start + 500).map((key) => ({ type: "set" as const, key, value: key })));
    await store.batch([{ type: "set", key: "o", value: 0 }, { type: "set", key: "q", value: 0 }]);
    for (const reverse of [false, true]) {
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = store.range({ prefix: "p/", limit: 64, reverse, ...(after === undefined ? {} : { after }) });
        for (const entry of page) expect(entry.value).toBe(entry.key);
        seen.push(...page.map((entry) => entry.key));
        if (page.length < 64) break;
        after = page[page.length - 1]!.key;
      }
      expect(seen).toEqual(reverse ? [...keys].reverse() : keys);
    }
    expect(store.range({ prefix: "p/", limit: 1 })[0]).toEqual({ key: "p/00000", value: "p/00000", version: 1 });
    await store.close();
  });

  it("new keys stay in order after a scan built the index", async () => {
    const store = await openStore(await tempDir());
    await store.set("b", 1);
    expect([...store.scan()].map(([key]) => key)).toEqual(["b"]);
    await Promise.all(["d", "a", "c", "e"].map((key) => store.set(key, 1)));
    await store.delete("c");
    expect([...store.scan()].map(([key]) => key)).toEqual(["a", "b", "d", "e"]);
    await store.close();
  });
});

describe("a listener that throws during a resumed replay", () => {
  it("still gets every missed event, and its error surfaces asynchronously", async () => {
    const store = await openStore(await tempDir());
    for (let index = 0; index < 5; index += 1) await store.set("k", index);
    const seen: number[] = [];
    const surfaced: unknown[] = [];
    const onUncaught = (error: unknown): void => {
      surfaced.push(error);
    };
    process.on("uncaughtException", onUncaught);
    try {
      store.subscribe(
        (event) => {
          seen.push(event.seq);
          if (event.seq === 2) throw new Error("listener bug");
        },
        { afterSeq: 0 },
      );
      expect(seen).toEqual([1, 2, 3, 4, 5]);
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(surfaced).toEqual([new Error("listener bug")]);
    } finally {
      process.off("uncaughtException", onUncaught);
      await store.close();
    }
  });
});
