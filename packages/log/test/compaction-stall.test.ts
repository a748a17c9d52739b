import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { nodeFileSystem, type FileSystem } from "@store/fs";
import { delegatingFs, delegatingHandle } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

interface Operation {
  readonly op: "write" | "read" | "readFile" | "datasync";
  readonly file: string;
  readonly bytes: number;
}

/** The real disk, with every write, read, readFile and fdatasync listed in the order issued. */
function recordingFs(operations: Operation[]): FileSystem {
  return {
    ...delegatingFs(nodeFileSystem),
    readFile: (path) => {
      operations.push({ op: "readFile", file: basename(path), bytes: 0 });
      return nodeFileSystem.readFile(path);
    },
    open: async (path, flags) => {
      const handle = await nodeFileSystem.open(path, flags);
      const file = basename(path);
      return {
        ...delegatingHandle(handle),
        write: (data, offset, length, position) => {
          operations.push({ op: "write", file, bytes: length });
          return handle.write(data, offset, length, position);
        },
        read: (into, offset, length, position) => {
          operations.push({ op: "read", file, bytes: length });
          return handle.read(into, offset, length, position);
        },
        datasync: () => {
          operations.push({ op: "datasync", file, bytes: 0 });
          return handle.datasync();
        },
      };
    },
  };
}

/** The real disk, where truncating `name` waits until the returned `release` is called; `held` resolves when it starts to. */
function gatedTruncateFs(name: string): { fs: FileSystem; held: Promise<void>; release: () => void } {
  let release = (): void => undefined;
  let started = (): void => undefined;
  const held = new Promise<void>((resolve) => {
    started = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const fs: FileSystem = {
    ...delegatingFs(nodeFileSystem),
    open: async (path, flags) => {
      const handle = await nodeFileSystem.open(path, flags);
      if (basename(path) !== name) return handle;
      return {
        ...delegatingHandle(handle),
        truncate: async (length) => {
          started();
          await gate;
          return handle.truncate(length);
        },
      };
    },
  };
  return { fs, held, release };
}

const isBaseTemp = (operation: Operation): boolean => operation.file.includes(".base.") && operation.file.endsWith(".tmp");
const KIB = 1024;

describe("compaction's work comes in small pieces", () => {
  it("the base is written in slices of at most 64 KiB plus one entry, synced every 256 KiB, and writers' commits land between them", async () => {
    const dir = await tempDir();
    const operations: Operation[] = [];
    const store = await openStore(dir, { fs: recordingFs(operations), segmentPreallocateBytes: 0 });
    // 4 KiB values: 256 of them made one 1 MiB write before; the base is about 1.2 MiB.
    const value = { text: "v".repeat(4 * KIB) };
    for (let index = 0; index < 300; index += 50) await Promise.all(Array.from({ length: 50 }, (_, offset) => store.set(`key/${index + offset}`, { ...value, index: index + offset })));
    operations.length = 0;
    const compaction = store.compact();
    let writesDuring = 0;
    let compacting = true;
    void compaction.finally(() => {
      compacting = false;
    });
    while (compacting) {
      await store.set("writer", writesDuring);
      writesDuring += 1;
    }
    await compaction;
    await store.close();

    const baseWrites = operations.filter((operation) => operation.op === "write" && isBaseTemp(operation));
    const entryBytesMax = 4 * KIB + 100;
    expect(baseWrites.length).toBeGreaterThan(10);
    for (const write of baseWrites) expect(write.bytes).toBeLessThanOrEqual(64 * KIB + entryBytesMax);
    // No more than 256 KiB (and one slice) of the base waits for each of its fdatasyncs.
    let unsynced = 0;
    for (const operation of operations.filter(isBaseTemp)) {
      if (operation.op === "write") unsynced += operation.bytes;
      if (operation.op === "datasync") unsynced = 0;
      expect(unsynced).toBeLessThanOrEqual(256 * KIB + 64 * KIB + entryBytesMax);
    }
    // The writer's records went into the log between the base's slices, not after them all.
    const first = operations.indexOf(baseWrites[0]!);
    const last = operations.indexOf(baseWrites.at(-1)!);
    const logWritesBetween = operations.slice(first, last).filter((operation) => operation.op === "write" && operation.file.endsWith(".log"));
    expect(logWritesBetween.length).toBeGreaterThan(3);
    expect(writesDuring).toBeGreaterThan(3);
  });

  it("a retired segment is read and gzipped a chunk at a time, never read whole, its backup synced as it is written and holding its records", async () => {
    const dir = await tempDir();
    const operations: Operation[] = [];
    const store = await openStore(dir, { fs: recordingFs(operations), segmentPreallocateBytes: 0 });
    // About 3 MiB of records in the segment the compaction retires, random enough that gzip leaves most of it.
    const noise = (): string => randomBytes(1536).toString("base64");
    for (let index = 0; index < 1500; index += 100) await Promise.all(Array.from({ length: 100 }, (_, offset) => store.set(`key/${index + offset}`, { text: noise(), index: index + offset })));
    const segment = await readFile(join(dir, "000001.log"));
    expect(segment.length).toBeGreaterThan(3 * 1024 * KIB);
    operations.length = 0;
    const result = await store.compact();
    await store.close();

    expect(result.retiredFiles).toContain("000001.log");
    expect(operations.filter((operation) => operation.op === "readFile" && operation.file.endsWith(".log"))).toEqual([]);
    const segmentReads = operations.filter((operation) => operation.op === "read" && operation.file === "000001.log");
    expect(segmentReads.length).toBeGreaterThan(2);
    for (const read of segmentReads) expect(read.bytes).toBeLessThanOrEqual(1024 * KIB);
    // Its backup is fdatasync'ed as it is written (every 256 KiB, plus one gzip chunk of at most 1 MiB), not in one go at the end.
    const backupTemp = operations.filter((operation) => operation.file.includes("000001.log.gz.") && operation.file.endsWith(".tmp"));
    expect(backupTemp.filter((operation) => operation.op === "write").reduce((sum, write) => sum + write.bytes, 0)).toBeGreaterThan(1024 * KIB);
    let unsynced = 0;
    for (const operation of backupTemp) {
      if (operation.op === "write") unsynced += operation.bytes;
      if (operation.op === "datasync") unsynced = 0;
      expect(unsynced).toBeLessThanOrEqual(256 * KIB + 1024 * KIB);
    }
    expect(backupTemp.filter((operation) => operation.op === "datasync").length).toBeGreaterThan(1);
    const backups = await readdir(join(dir, "backups"));
    const backup = backups.find((name) => name.endsWith("000001.log.gz"));
    expect(backup).toBeDefined();
    // Buffer.equals: a deep equality over 3 MiB of bytes takes half a minute.
    expect(gunzipSync(await readFile(join(dir, "backups", backup!))).equals(segment)).toBe(true);
  });

  it("writers do not wait for the old segment's seal: a set commits while cutting its zeros off is still held up", async () => {
    const dir = await tempDir();
    const gated = gatedTruncateFs("000001.log");
    const store = await openStore(dir, { fs: gated.fs });
    await Promise.all(Array.from({ length: 100 }, (_, index) => store.set(`key/${index}`, index)));
    const compaction = store.compact();
    await gated.held;
    // The truncate of 000001.log (its preallocated zeros) has not finished, and will not until released.
    const { seq } = await store.set("during/seal", true);
    expect(seq).toBe(101);
    gated.release();
    await compaction;
    await store.close();
    const reopened = await openStore(dir);
    expect(reopened.get("during/seal")).toBe(true);
    expect(reopened.get("key/99")).toBe(99);
    await reopened.close();
  });
});
