import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { nodeFileSystem, type FileSystem } from "@store/fs";
import { delegatingFs, delegatingHandle, folderBytes } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { encodeRecord, openStore, readLog, type LogRecord, type WriteRecord } from "../src/index.js";
import { tempDir } from "./helpers.js";

const TS = 1_795_632_524_485;

function header(kind: "segment" | "base", seq: number, extra: Record<string, unknown> = {}): Buffer {
  return encodeRecord({ op: "header", format: "store-log", v: 1, kind, seq, ts: TS, ...extra });
}

const set = (seq: number, key = `k/${seq}`): WriteRecord => ({ op: "set", seq, key, value: seq, ts: TS });

/** A folder holding exactly these files, each a list of lines. */
async function folderOf(files: Record<string, readonly Buffer[]>): Promise<string> {
  const dir = await tempDir();
  for (const [name, lines] of Object.entries(files)) await writeFile(join(dir, name), Buffer.concat(lines));
  return dir;
}

async function readAll(dir: string): Promise<unknown> {
  try {
    for await (const _ of readLog(dir));
    return undefined;
  } catch (error) {
    return error;
  }
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

describe("a newer format version is refused, never replayed as version 1", () => {
  for (const [name, newer] of [
    ["a version 2 header", encodeRecord({ op: "header", format: "store-log", v: 2, kind: "segment", seq: 0, ts: TS })],
    ["a version 2 header laid out differently", encodeRecord({ op: "header", format: "store-log", v: 2, kind: "journal", first: 1 } as unknown as LogRecord)],
  ] as const) {
    it(`${name}: STORE_UNSUPPORTED_FORMAT naming the file and both versions, in every mode, and nothing changes`, async () => {
      const dir = await folderOf({ "000001.log": [newer, encodeRecord(set(1))] });
      const before = await folderBytes(dir);
      for (const options of [{}, { readOnly: true }, { onCorruption: "salvage" as const }]) {
        const error = await openError(dir, options);
        expect(error, JSON.stringify(options)).toMatchObject({ code: "STORE_UNSUPPORTED_FORMAT", path: join(dir, "000001.log") });
        expect((error as Error).message).toMatch(/format version 2.*reads format version 1.*Upgrade @store\/log/);
      }
      expect(await readAll(dir)).toMatchObject({ code: "STORE_UNSUPPORTED_FORMAT", path: join(dir, "000001.log") });
      expect(await folderBytes(dir)).toEqual(before);
    });
  }

  it("in a base too", async () => {
    const dir = await folderOf({
      "000002.base": [encodeRecord({ op: "header", format: "store-log", v: 2, kind: "base", seq: 1, ts: TS }), encodeRecord({ op: "end", entries: 0 })],
      "000002.log": [header("segment", 1)],
    });
    expect(await openError(dir)).toMatchObject({ code: "STORE_UNSUPPORTED_FORMAT", path: join(dir, "000002.base") });
  });
});

describe("a record whose seq does not follow the one before it is refused", () => {
  const lines = (seqs: readonly number[]): Buffer[] => [header("segment", 0), ...seqs.map((seq) => encodeRecord(set(seq)))];
  const offsetOfLine = (all: readonly Buffer[], index: number): number => all.slice(0, index).reduce((sum, line) => sum + line.length, 0);

  for (const [name, seqs, badLine] of [
    ["a record removed from the middle (1, 2, 4, 5)", [1, 2, 4, 5], 3],
    ["a record removed before the last (1, 2, 3, 5)", [1, 2, 3, 5], 4],
    ["a record repeated (1, 2, 2, 3)", [1, 2, 2, 3], 3],
    ["a first record after the header's seq (2, 3)", [2, 3], 1],
  ] as const) {
    it(`${name}: STORE_CORRUPTED with the file and the offset of the record, by openStore and readLog`, async () => {
      const all = lines(seqs);
      const dir = await folderOf({ "000001.log": all });
      const before = await folderBytes(dir);
      const path = join(dir, "000001.log");
      for (const options of [{}, { readOnly: true }]) {
        const error = await openError(dir, options);
        expect(error, JSON.stringify(options)).toMatchObject({ code: "STORE_CORRUPTED", path, offset: offsetOfLine(all, badLine) });
        expect((error as Error).message).toMatch(/seq \d+ (does not follow|follows) \d+/);
      }
      expect(await readAll(dir)).toMatchObject({ code: "STORE_CORRUPTED", path, offset: offsetOfLine(all, badLine) });
      expect(await folderBytes(dir), "a refused open changes nothing").toEqual(before);
    });
  }

  it("salvage keeps the records around a gap, keeps the file as it was in damaged/, and later opens accept the gap", async () => {
    const all = lines([1, 2, 4, 5]);
    const dir = await folderOf({ "000001.log": all });
    const original = await readFile(join(dir, "000001.log"));
    const store = await openStore(dir, { onCorruption: "salvage" });
    expect([...store.scan()]).toEqual([
      ["k/1", 1],
      ["k/2", 2],
      ["k/4", 4],
      ["k/5", 5],
    ]);
    expect(store.seq).toBe(5);
    expect(store.recovery.salvaged).toHaveLength(1);
    expect(store.recovery.salvaged[0]!.damage).toEqual([{ offset: offsetOfLine(all, 3), bytes: 0, reason: "seq 4 follows 2: seq 3 is missing" }]);
    expect(await readFile(store.recovery.salvaged[0]!.keptAt)).toEqual(original);
    await store.set("after", true);
    await store.close();
    const again = await openStore(dir);
    expect(again.seq).toBe(6);
    expect(again.recovery.salvaged).toEqual([]);
    await again.close();
    expect(await readAll(dir)).toBeUndefined();
  });

  it("salvage drops a repeated record and keeps the rest", async () => {
    const dir = await folderOf({ "000001.log": [header("segment", 0), encodeRecord(set(1)), encodeRecord(set(2)), encodeRecord(set(2, "k/again")), encodeRecord(set(3))] });
    const store = await openStore(dir, { onCorruption: "salvage" });
    expect([...store.scan()].map(([key]) => key)).toEqual(["k/1", "k/2", "k/3"]);
    await store.close();
  });

  it("a batch takes one seq: a batch followed by seq + 2 is a gap", async () => {
    const batch: WriteRecord = { op: "batch", seq: 2, ops: [{ op: "set", key: "a", value: 1 }, { op: "set", key: "b", value: 2 }], ts: TS };
    const good = await folderOf({ "000001.log": [header("segment", 0), encodeRecord(set(1)), encodeRecord(batch), encodeRecord(set(3))] });
    const store = await openStore(good, { readOnly: true });
    expect(store.seq).toBe(3);
    await store.close();
    const gap = await folderOf({ "000001.log": [header("segment", 0), encodeRecord(set(1)), encodeRecord(batch), encodeRecord(set(4))] });
    expect(await openError(gap)).toMatchObject({ code: "STORE_CORRUPTED" });
  });

  it("a segment that starts before the files before it end would replay records twice: refused", async () => {
    const dir = await folderOf({
      "000001.log": [header("segment", 0), encodeRecord(set(1)), encodeRecord(set(2))],
      "000002.log": [header("segment", 1), encodeRecord(set(2))],
    });
    const error = await openError(dir, { readOnly: true });
    expect(error).toMatchObject({ code: "STORE_CORRUPTED", path: join(dir, "000002.log"), offset: 0 });
    expect((error as Error).message).toContain("replayed twice");
    expect(await readAll(dir)).toMatchObject({ code: "STORE_CORRUPTED", path: join(dir, "000002.log") });
  });

  it("a base entry's version must be a seq the base covers (1 to the base's seq)", async () => {
    for (const seq of [0, 4]) {
      const dir = await folderOf({
        "000002.base": [header("base", 3), encodeRecord({ op: "entry", seq, key: "k", value: 1 }), encodeRecord({ op: "end", entries: 1 })],
        "000002.log": [header("segment", 3)],
      });
      expect(await openError(dir, { readOnly: true }), `version ${seq}`).toMatchObject({ code: "STORE_CORRUPTED", path: join(dir, "000002.base") });
      expect(await readAll(dir), `version ${seq}`).toMatchObject({ code: "STORE_CORRUPTED", path: join(dir, "000002.base") });
    }
  });

  it("a refused open closes every file it opened", async () => {
    const dir = await folderOf({ "000001.log": lines([1, 2, 2, 3]) });
    let open = 0;
    const fs: FileSystem = {
      ...delegatingFs(nodeFileSystem),
      open: async (path, flags) => {
        const handle = await nodeFileSystem.open(path, flags);
        open += 1;
        return { ...delegatingHandle(handle), close: async () => ((open -= 1), handle.close()) };
      },
    };
    for (const readOnly of [false, true]) await expect(openStore(dir, { fs, readOnly })).rejects.toMatchObject({ code: "STORE_CORRUPTED" });
    expect(open).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(["000001.log"]);
  });
});
