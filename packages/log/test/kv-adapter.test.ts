import { jsonTextOf, type ChangeEvent } from "@store/fs";
import { describe, expect, it } from "vitest";
import { openStore, toKeyValueStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

describe("toKeyValueStore", () => {
  it("keeps the store's own limits where they are tighter than the contract's", async () => {
    const store = await openStore(await tempDir(), { keyBytesMax: 8, batchOpsMax: 2, valueDepthMax: 2 });
    const kv = toKeyValueStore(store);
    await expect(kv.batch([{ type: "set", key: "a-longer-key", value: 1 }])).rejects.toMatchObject({ code: "STORE_INVALID_KEY" });
    await expect(
      kv.batch([
        { type: "set", key: "a", value: 1 },
        { type: "set", key: "b", value: 1 },
        { type: "check", key: "c", ifVersion: null },
      ]),
    ).rejects.toMatchObject({ code: "STORE_TOO_LARGE" });
    await expect(kv.batch([{ type: "set", key: "a", value: [[[1]]] }])).rejects.toMatchObject({ code: "STORE_INVALID_VALUE" });
    expect(store.seq).toBe(0);
    await expect(kv.batch([{ type: "set", key: "a", value: [[1]] }, { type: "check", key: "c", ifVersion: null }])).resolves.toEqual({ seq: 1 });
    await kv.close();
  });

  it("resumes a subscriber from the log files by default, and only from memory with resumeFrom \"memory\"", async () => {
    const dir = await tempDir();
    const first = await openStore(dir);
    for (let index = 0; index < 5; index += 1) await first.set("k", index);
    await first.close();
    // After a reopen the in-memory history holds nothing older than the open.
    const fromFiles = toKeyValueStore(await openStore(dir));
    const seen: number[] = [];
    const subscription = await fromFiles.subscribe((event) => void seen.push(event.seq), { afterSeq: 2 });
    expect(seen).toEqual([3, 4, 5]);
    await subscription.close();
    await fromFiles.close();
    const fromMemory = toKeyValueStore(await openStore(dir), { resumeFrom: "memory" });
    await expect(fromMemory.subscribe(() => undefined, { afterSeq: 2 })).rejects.toMatchObject({ code: "STORE_HISTORY_GONE" });
    await fromMemory.close();
  });

  it("refuses an unknown option or resumeFrom value with a TypeError naming it", async () => {
    const store = await openStore(await tempDir());
    expect(() => toKeyValueStore(store, { resumeFrom: "disk" } as unknown as { resumeFrom: "files" })).toThrow(/"disk"/);
    expect(() => toKeyValueStore(store, { resumFrom: "memory" } as unknown as { resumeFrom: "files" })).toThrow(TypeError);
    await store.close();
  });

  it("writes what the caller passed, not what it changed afterwards", async () => {
    const kv = toKeyValueStore(await openStore(await tempDir()));
    const value = { tokens: 5 };
    const written = kv.batch([{ type: "set", key: "p", value }]);
    value.tokens = 99;
    await written;
    expect((await kv.get("p"))?.value).toEqual({ tokens: 5 });
    await kv.close();
  });

  it("hands out the JSON text its records hold with change events and reads (what a socket server sends on), for the values they parse from it", async () => {
    const kv = toKeyValueStore(await openStore(await tempDir()));
    const events: ChangeEvent[] = [];
    const subscription = await kv.subscribe((event) => void events.push(event));
    const value = { name: "alice", stats: { score: 3, games: [1, 2] } };
    const { seq } = await kv.batch([
      { type: "set", key: "a", value },
      { type: "delete", key: "b" },
    ]);
    const [entry] = await kv.getMany(["a"]);
    await subscription.close();
    await kv.close();
    expect(events).toEqual([{ seq, ops: [{ type: "set", key: "a", value }, { type: "delete", key: "b" }] }]);
    expect(jsonTextOf(events[0]!.ops[0]!)).toBe(JSON.stringify(value));
    expect(jsonTextOf(entry!)).toBe(JSON.stringify(value));
    expect(entry).toEqual({ key: "a", value, version: seq });
    expect(jsonTextOf(entry!.value as object)).toBe(JSON.stringify(value));
    expect(Object.isFrozen(entry!.value)).toBe(true);
  });
});
