import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StoreError, encodeRecord, openStore } from "../src/index.js";
import { folderBytes } from "@store/testkit";
import { tempDir } from "./helpers.js";

const NOT_A_LOG = "this is not a log";

async function folderOf(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempDir();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

async function openError(dir: string, options: Parameters<typeof openStore>[1] = {}): Promise<unknown> {
  return openStore(dir, options).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (error: unknown) => error,
  );
}

/** A closed store with `count` sets (no preallocated zeros), and its segments' bytes. */
async function storeWith(count: number, options: Parameters<typeof openStore>[1] = {}): Promise<string> {
  const dir = await tempDir();
  const store = await openStore(dir, { segmentPreallocateBytes: 0, ...options });
  for (let index = 1; index <= count; index += 1) await store.set(`k/${index}`, index);
  await store.close();
  return dir;
}

describe("a folder that is not a store is refused, and nothing in it changes", () => {
  for (const [name, files] of [
    ["a 000001.log that is not a log", { "000001.log": NOT_A_LOG }],
    ["unrelated files", { "photo.jpg": Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), "notes/todo.txt": "milk" }],
    ["a backups folder of someone else's", { "backups/2024-photos.gz": "not ours" }],
    ["unrelated files beside an empty segment", { "000001.log": "", "photo.jpg": "jpeg" }],
  ] as const) {
    it(`${name}: STORE_NOT_A_STORE naming the folder and a foreign file, in every mode`, async () => {
      const dir = await folderOf(files);
      const before = await folderBytes(dir);
      const namesBefore = (await readdir(dir)).sort();
      for (const options of [{}, { readOnly: true }, { onCorruption: "salvage" as const }]) {
        const error = await openError(dir, options);
        expect(error, JSON.stringify(options)).toBeInstanceOf(StoreError);
        expect(error, JSON.stringify(options)).toMatchObject({ code: "STORE_NOT_A_STORE", path: dir });
        expect((error as Error).message).toContain(dir);
        expect((error as Error).message).toMatch(new RegExp(Object.keys(files).map((file) => file.split("/")[0]).join("|")));
      }
      expect(await folderBytes(dir)).toEqual(before);
      expect((await readdir(dir)).sort(), "not even a LOCK file was written").toEqual(namesBefore);
    });
  }

  it("an empty folder, a new path, and what an interrupted first open leaves all open as stores", async () => {
    const empty = await tempDir();
    const fresh = join(await tempDir(), "new", "data");
    const interrupted = await folderOf({
      LOCK: `${JSON.stringify({ pid: 999_999_999, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z", processStartTicks: null })}\n`,
      ".LOCK.999999999.1.tmp": "",
      "000001.log": "",
    });
    const tornHeader = await folderOf({ "000001.log": encodeRecord({ op: "header", format: "store-log", v: 1, kind: "segment", seq: 0, ts: 1 }).subarray(0, 30) });
    for (const dir of [empty, fresh, tornHeader, interrupted]) {
      const store = await openStore(dir);
      await store.set("k", 1);
      await store.close();
    }
  });

  it("a store keeps files that are not its own beside it, untouched", async () => {
    const dir = await storeWith(3);
    await writeFile(join(dir, "notes.txt"), "the bot's data");
    await mkdir(join(dir, "mirror"));
    await writeFile(join(dir, "mirror", "players.json"), "{}\n");
    const store = await openStore(dir);
    expect(store.get("k/3")).toBe(3);
    await store.compact();
    await store.close();
    expect(await readFile(join(dir, "notes.txt"), "utf8")).toBe("the bot's data");
    expect(await readFile(join(dir, "mirror", "players.json"), "utf8")).toBe("{}\n");
  });
});

describe("a file named like a segment or base that is not ours is never cut, rewritten or retired", () => {
  for (const [name, place] of [
    ["as the last segment", "000002.log"],
    ["between two segments", "000002.log+000003.log"],
    ["older than the base (a compaction leftover)", "000001.log<base"],
  ] as const) {
    it(`${name}: STORE_CORRUPTED naming it, unchanged; salvage moves it whole to damaged/`, async () => {
      const dir = await storeWith(3);
      const foreign = join(dir, place.startsWith("000001.log") ? "000001.log" : "000002.log");
      if (place === "000002.log+000003.log") await writeFile(join(dir, "000003.log"), encodeRecord({ op: "header", format: "store-log", v: 1, kind: "segment", seq: 3, ts: 1 }));
      if (place === "000001.log<base") {
        const store = await openStore(dir);
        await store.compact(); // base 000002, segment 000002; 000001.log retired to backups/
        await store.close();
      }
      await writeFile(foreign, NOT_A_LOG);
      const before = await folderBytes(dir);
      // Read-only never reads a leftover (it retires nothing), so only a live file stops it.
      for (const options of place === "000001.log<base" ? [{}] : [{}, { readOnly: true }]) {
        const error = await openError(dir, options);
        expect(error, JSON.stringify(options)).toMatchObject({ code: "STORE_CORRUPTED", path: foreign, offset: 0 });
        expect((error as Error).message).toContain("not a file @store/log wrote");
      }
      expect(await folderBytes(dir), "nothing was cut or moved").toEqual(before);
      const store = await openStore(dir, { onCorruption: "salvage" });
      expect([...store.scan()]).toEqual([
        ["k/1", 1],
        ["k/2", 2],
        ["k/3", 3],
      ]);
      const moved = store.recovery.salvaged.find((entry) => entry.path === foreign);
      expect(moved?.keptAt).toContain(join(dir, "damaged"));
      expect(await readFile(moved!.keptAt, "utf8")).toBe(NOT_A_LOG);
      await store.close();
      const again = await openStore(dir);
      expect(again.get("k/3")).toBe(3);
      await again.close();
    });
  }

  it("a torn header at the end of the last segment is still what an interrupted write leaves: cut, as before", async () => {
    const dir = await storeWith(2);
    const header = encodeRecord({ op: "header", format: "store-log", v: 1, kind: "segment", seq: 2, ts: 1 });
    await writeFile(join(dir, "000002.log"), header.subarray(0, 20));
    const store = await openStore(dir);
    expect(store.recovery.tornTail).toMatchObject({ path: join(dir, "000002.log"), offset: 0, bytes: 20 });
    expect(store.get("k/2")).toBe(2);
    await store.close();
  });
});

describe("temp files of killed processes", () => {
  it("in the data folder, backups/ and damaged/ are removed at the next writable open; a live process's are kept; read-only removes nothing", async () => {
    const dir = await storeWith(2);
    const dead = 999_999_999;
    const stale = [`.000003.base.${dead}.1.tmp`, `backups/.000003-000001.log.gz.${dead}.2.tmp`, `damaged/.000001.log.1.${dead}.3.tmp`];
    const live = `backups/.000004-000001.log.gz.${process.ppid}.4.tmp`;
    for (const name of [...stale, live]) {
      await mkdir(join(dir, name, ".."), { recursive: true });
      await writeFile(join(dir, name), "half written");
    }
    const reader = await openStore(dir, { readOnly: true });
    await reader.close();
    for (const name of stale) expect(await readFile(join(dir, name), "utf8"), `read-only removed ${name}`).toBe("half written");
    const store = await openStore(dir);
    await store.close();
    const left = [...(await readdir(join(dir, "backups"))), ...(await readdir(join(dir, "damaged")))];
    expect(left).toEqual([live.slice("backups/".length)]);
    expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("a segment name taken by someone else's file after open", () => {
  it("a roll that cannot link its new segment leaves that file alone and the store goes on in its segment", async () => {
    const dir = await tempDir();
    const store = await openStore(dir, { segmentBytesMax: 1024, segmentPreallocateBytes: 0 });
    const theirs = join(dir, "000002.log");
    await writeFile(theirs, "someone else's file\n");
    for (let index = 0; index < 40; index += 1) await store.set(`k${index}`, "x".repeat(40));
    expect(await readFile(theirs, "utf8")).toBe("someone else's file\n");
    expect(store.get("k39")).toBe("x".repeat(40));
    await store.close();
  });
});
