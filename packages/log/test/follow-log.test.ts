import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { followLog, openStore, type FollowedRecord } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { startWriter } from "./child-process.js";

/** Follows `dir` in the background; `until(seq)` resolves once a record with that seq was seen. */
function follower(dir: string, options: Parameters<typeof followLog>[1] = {}) {
  const controller = new AbortController();
  const seen: number[] = [];
  let check = (): void => undefined;
  const done = (async () => {
    for await (const record of followLog(dir, { ...options, signal: controller.signal, pollIntervalMs: 20 })) {
      seen.push(record.seq);
      check();
    }
  })();
  done.catch(() => {
    check();
  });
  return {
    seen,
    done,
    until: (seq: number) =>
      new Promise<void>((resolve, reject) => {
        check = () => {
          if ((seen.at(-1) ?? 0) >= seq) resolve();
        };
        done.then(() => {
          reject(new Error(`the follower stopped at ${String(seen.at(-1))}`));
        }, reject);
        check();
      }),
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

const upTo = (n: number): number[] => Array.from({ length: n }, (_, index) => index + 1);

async function collect(dir: string, options: Parameters<typeof followLog>[1]): Promise<FollowedRecord[]> {
  const records: FollowedRecord[] = [];
  for await (const record of followLog(dir, { ...options, follow: false })) records.push(record);
  return records;
}

describe("followLog", () => {
  it("follows a writer process across segment rolls and compactions without missing or repeating a record", async () => {
    const dir = join(await tempDir(), "data");
    const writer = await startWriter(dir, { segmentBytesMax: 2048 });
    const follow = follower(dir, { afterSeq: 0 });
    try {
      await writer.write(60);
      await writer.compact();
      await writer.concurrent(200);
      await writer.compact();
      await writer.write(40);
      const last = Math.max(...writer.acknowledged());
      await follow.until(last);
      expect(follow.seen).toEqual(upTo(last));
    } finally {
      await follow.stop();
      await writer.exit();
    }
  });

  it("a follower that fell behind reads the segments a compaction retired from backups/", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir, { segmentBytesMax: 1024 });
    for (let i = 0; i < 100; i += 1) await store.set(`k/${i}`, i);
    await store.compact();
    for (let i = 0; i < 50; i += 1) await store.delete(`k/${i}`);
    await store.compact();
    await store.close();
    const records = await collect(dir, { afterSeq: 0 });
    expect(records.map((record) => record.seq)).toEqual(upTo(150));
    expect(records[0]!.path).toContain("backups");
    expect(records[0]!.record).toMatchObject({ op: "set", key: "k/0", value: 0 });
    expect((await collect(dir, { afterSeq: 120 })).map((record) => record.seq)).toEqual(upTo(150).slice(120));
  });

  it("without afterSeq it starts with the last records", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir, { segmentBytesMax: 512 });
    for (let i = 0; i < 30; i += 1) await store.set(`k/${i}`, i);
    await store.close();
    expect((await collect(dir, { last: 5 })).map((record) => record.seq)).toEqual([26, 27, 28, 29, 30]);
    expect(await collect(dir, {})).toEqual([]);
  });

  it("records compacted away with no backup kept are STORE_HISTORY_GONE, not skipped", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir, { segmentBytesMax: 512, backupsMax: 0 });
    for (let i = 0; i < 30; i += 1) await store.set(`k/${i}`, i);
    await store.compact();
    await store.set("after", 1);
    await store.close();
    await expect(collect(dir, { afterSeq: 3 })).rejects.toMatchObject({ code: "STORE_HISTORY_GONE" });
    expect((await collect(dir, { afterSeq: 30 })).map((record) => record.seq)).toEqual([31]);
  });

  it("damage in a sealed segment is STORE_CORRUPTED with its file and offset", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir, { segmentBytesMax: 512 });
    for (let i = 0; i < 30; i += 1) await store.set(`k/${i}`, i);
    await store.close();
    const first = join(dir, (await readdir(dir)).find((name) => name.endsWith(".log"))!);
    const bytes = await readFile(first);
    const lineStart = bytes.indexOf(0x0a) + 1;
    bytes[lineStart + 15]! ^= 0x01;
    await writeFile(first, bytes);
    await expect(collect(dir, { afterSeq: 0 })).rejects.toMatchObject({ code: "STORE_CORRUPTED", path: first, offset: lineStart });
  });
});
