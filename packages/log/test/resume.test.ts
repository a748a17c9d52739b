import { describe, expect, it } from "vitest";
import { openStore, toKeyValueStore, type ChangeEvent } from "../src/index.js";
import { tempDir } from "./helpers.js";

/** A store with `count` writes (sets, a delete, a batch) behind it, closed: a restarted server's folder. */
async function folderWithWrites(count: number, options: Parameters<typeof openStore>[1] = {}): Promise<string> {
  const dir = await tempDir();
  const store = await openStore(dir, { segmentBytesMax: 400, ...options });
  for (let seq = 1; seq <= count; seq += 1) {
    if (seq % 7 === 0) await store.delete(`k/${seq - 1}`);
    else if (seq % 5 === 0) await store.batch([{ type: "set", key: `k/${seq}`, value: { seq } }, { type: "delete", key: `k/${seq - 2}` }]);
    else await store.set(`k/${seq}`, { seq });
  }
  await store.close();
  return dir;
}

describe("a subscriber resumes from the log files across a reopen", () => {
  it("the writes after afterSeq come from the segments on disk, in order and whole, then live ones", async () => {
    const dir = await folderWithWrites(30);
    const store = await openStore(dir);
    expect(() => store.subscribe(() => undefined, { afterSeq: 3 })).toThrow(expect.objectContaining({ code: "STORE_HISTORY_GONE" }) as unknown);
    const events: ChangeEvent[] = [];
    const unsubscribe = await store.resume((event) => events.push(event), { afterSeq: 3 });
    await store.set("k/new", 1);
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 28 }, (_, index) => index + 4));
    expect(events[1]).toEqual({ seq: 5, ops: [{ type: "set", key: "k/5", value: { seq: 5 } }, { type: "delete", key: "k/3" }] });
    expect(events[3]).toEqual({ seq: 7, ops: [{ type: "delete", key: "k/6" }] });
    const first = events[0]!.ops[0]!;
    expect(first.type === "set" && Object.isFrozen(first.value)).toBe(true); // as live events: values are read-only
    unsubscribe();
    await store.close();
  });

  it("writes made while the files are read follow the replayed ones without a gap or a repeat", async () => {
    const dir = await folderWithWrites(200);
    const store = await openStore(dir);
    const seqs: number[] = [];
    const resumed = store.resume((event) => seqs.push(event.seq), { afterSeq: 10 });
    const writes = Array.from({ length: 50 }, (_, index) => store.set(`live/${index}`, index));
    await Promise.all([resumed, ...writes]);
    expect(seqs).toEqual(Array.from({ length: 240 }, (_, index) => index + 11));
    await store.close();
  });

  it("through the kv contract (what @store/remote serves): subscribe({ afterSeq }) after a reopen", async () => {
    const dir = await folderWithWrites(12);
    const kv = toKeyValueStore(await openStore(dir));
    const seqs: number[] = [];
    const subscription = await kv.subscribe((event) => seqs.push(event.seq), { afterSeq: 0 });
    expect(subscription.afterSeq).toBe(0);
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
    await subscription.close();
    await kv.close();
  });

  it("from a read-only store too, and from backups/ once a compaction retired the segments", async () => {
    const dir = await folderWithWrites(20, { backupsMax: 2 });
    const writer = await openStore(dir);
    await writer.compact();
    await writer.close();
    const reader = await openStore(dir, { readOnly: true });
    const seqs: number[] = [];
    await reader.resume((event) => seqs.push(event.seq), { afterSeq: 15 });
    expect(seqs).toEqual([16, 17, 18, 19, 20]);
    await reader.close();
  });

  it("STORE_HISTORY_GONE when the files no longer hold them either (compacted, no backup kept), and nothing stays subscribed", async () => {
    const dir = await folderWithWrites(20, { backupsMax: 0 });
    const store = await openStore(dir, { backupsMax: 0 });
    await store.compact();
    const events: ChangeEvent[] = [];
    await expect(store.resume((event) => events.push(event), { afterSeq: 5 })).rejects.toMatchObject({ code: "STORE_HISTORY_GONE" });
    await store.set("k/after", 1);
    expect(events).toEqual([]);
    await store.close();
  });

  it("a seq the store never reached is refused as by subscribe", async () => {
    const dir = await folderWithWrites(3);
    const store = await openStore(dir);
    await expect(store.resume(() => undefined, { afterSeq: 9 })).rejects.toMatchObject({ code: "STORE_HISTORY_GONE" });
    await expect(store.resume(() => undefined, { afterSeq: -1 })).rejects.toBeInstanceOf(TypeError);
    await store.close();
  });
});
