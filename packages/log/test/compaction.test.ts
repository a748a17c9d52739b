import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";
import { player, tempDir } from "./helpers.js";

function withoutTrailingZeros(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end -= 1;
  return bytes.subarray(0, end);
}

describe("compaction", () => {
  it("keeps every live key and version, drops dead records, and the folder reopens to the same state", async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    for (let index = 0; index < 500; index += 1) await store.set(`players/${index % 50}`, player(index));
    await store.delete("players/7");
    const before = [...store.scan()].map(([key, value]) => [key, value, store.version(key)]);
    const { bytesBefore, bytesAfter, retiredFiles } = await store.compact();
    expect(bytesAfter).toBeLessThan(bytesBefore / 5);
    expect(retiredFiles).toEqual(["000001.log"]);
    expect([...store.scan()].map(([key, value]) => [key, value, store.version(key)])).toEqual(before);
    await store.close();
    const reopened = await openStore(dir);
    expect([...reopened.scan()].map(([key, value]) => [key, value, reopened.version(key)])).toEqual(before);
    expect(reopened.recovery.baseFile).toBe("000002.base");
    await reopened.close();
  });

  it("moves what it replaced into backups/, gzipped byte for byte, keeping the newest backupsMax compactions", async () => {
    const dir = await tempDir();
    const store = await openStore(dir, { backupsMax: 2 });
    await store.set("k", 0);
    await store.checkpoint();
    const segmentBeforeCompaction = withoutTrailingZeros(await readFile(join(dir, "000001.log")));
    await store.compact();
    // A sealed segment loses its preallocated zeros; the backup is its records, byte for byte.
    expect(gunzipSync(await readFile(join(dir, "backups", "000002-000001.log.gz")))).toEqual(segmentBeforeCompaction);
    for (let round = 1; round <= 3; round += 1) {
      await store.set("k", round);
      await store.compact();
    }
    await store.close();
    const backups = await readdir(join(dir, "backups"));
    expect(new Set(backups.map((name) => name.split("-")[0]))).toEqual(new Set(["000004", "000005"]));
    expect(backups.every((name) => name.endsWith(".gz"))).toBe(true);
  });

  it("with backupsMax 0 the replaced files are deleted", async () => {
    const dir = await tempDir();
    const store = await openStore(dir, { backupsMax: 0 });
    await store.set("k", 1);
    await store.compact();
    await store.close();
    expect((await readdir(dir)).sort()).toEqual(["000002.base", "000002.log"]);
  });

  it("writers keep going while a compaction runs, and nothing they wrote is lost", async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    for (let index = 0; index < 3000; index += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, offset) => store.set(`players/${index + offset}`, player(index + offset))));
    }
    const compaction = store.compact();
    const during = await Promise.all(Array.from({ length: 200 }, (_, index) => store.set(`players/${index}`, player(10_000 + index))));
    await compaction;
    expect(during).toHaveLength(200);
    await store.close();
    const reopened = await openStore(dir);
    for (let index = 0; index < 200; index += 1) expect(reopened.get(`players/${index}`)).toEqual(player(10_000 + index));
    expect(reopened.get("players/2999")).toEqual(player(2999));
    await reopened.close();
  });
});
