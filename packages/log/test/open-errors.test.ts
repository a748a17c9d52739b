import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { StoreError, type FileHandle, type FileSystem } from "@store/fs";
import { SimulatedDisk, delegatingFs, delegatingHandle, type FaultOperation } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { DATA_DIR, bootProbe, openOnDisk } from "./sim-helpers.js";

/** Counts each operation a fault can hit, by the name `injectFault` knows it by. */
function countingFs(fs: FileSystem, counts: Map<FaultOperation, number>): FileSystem {
  const count = (operation: FaultOperation): void => {
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
  };
  const countedHandle = (handle: FileHandle): FileHandle => ({
    ...delegatingHandle(handle),
    write: (data, offset, length, position) => (count("write"), handle.write(data, offset, length, position)),
    read: (into, offset, length, position) => (count("read"), handle.read(into, offset, length, position)),
    truncate: (length) => (count("truncate"), handle.truncate(length)),
    sync: () => (count("sync"), handle.sync()),
    datasync: () => (count("sync"), handle.datasync()),
  });
  return {
    ...delegatingFs(fs),
    open: async (path, flags) => (count("open"), countedHandle(await fs.open(path, flags))),
    readFile: (path) => (count("read"), fs.readFile(path)),
    rename: (from, to) => (count("rename"), fs.rename(from, to)),
    link: (existing, to) => (count("link"), fs.link(existing, to)),
    unlink: (path) => (count("unlink"), fs.unlink(path)),
    fsyncDir: (path) => (count("fsyncDir"), fs.fsyncDir(path)),
  };
}

type Setup = (disk: SimulatedDisk) => Promise<void>;

/** A store with a few writes and a partial record after them: the open cuts it. */
const tornTail: Setup = async (disk) => {
  const store = await openOnDisk(disk, 1, { segmentPreallocateBytes: 0 });
  for (let index = 0; index < 5; index += 1) await store.set(`k/${index}`, { index });
  await store.close();
  const segment = `${DATA_DIR}/000001.log`;
  const handle = await disk.fs.open(segment, "r+");
  await handle.write(Buffer.from('0badc0de {"op":"set","seq":6,"ke'), 0, 31, await handle.size());
  await handle.close();
};

/** A compaction that stopped before it retired the old segment, and a temp file of a dead process in backups/. */
const compactionLeftovers: Setup = async (disk) => {
  const store = await openOnDisk(disk, 1, { segmentPreallocateBytes: 0 });
  for (let index = 0; index < 5; index += 1) await store.set(`k/${index}`, { index });
  await store.checkpoint();
  const oldSegment = await disk.fs.readFile(`${DATA_DIR}/000001.log`);
  await store.compact();
  await store.set("k/after", true);
  await store.close();
  for (const [path, bytes] of [
    [`${DATA_DIR}/000001.log`, oldSegment],
    [`${DATA_DIR}/backups/.000003-000002.log.gz.99999.1.tmp`, Buffer.from("half a backup")],
  ] as const) {
    const handle = await disk.fs.open(path, "wx");
    await handle.write(bytes, 0, bytes.length, 0);
    await handle.close();
  }
};

const SETUPS: ReadonlyArray<readonly [string, Setup | undefined]> = [
  ["a new folder", undefined],
  ["a folder with a torn tail to cut", tornTail],
  ["a folder with files an interrupted compaction left", compactionLeftovers],
];

describe("every error opening a store is a StoreError with a code", () => {
  for (const [name, setup] of SETUPS) {
    it(`ENOSPC and EIO at every file-system operation of the open of ${name}`, async () => {
      const counts = new Map<FaultOperation, number>();
      const clean = new SimulatedDisk();
      await setup?.(clean);
      const store = await openStore(DATA_DIR, { fs: countingFs(clean.fs, counts), processProbe: bootProbe(2), segmentPreallocateBytes: 0 });
      await store.close();
      let failures = 0;
      for (const [operation, total] of counts) {
        for (const kind of operation === "read" ? (["EIO"] as const) : (["EIO", "ENOSPC"] as const)) {
          for (let nth = 1; nth <= total; nth += 1) {
            const disk = new SimulatedDisk();
            await setup?.(disk);
            disk.injectFault({ operation, nth, kind });
            const where = `${kind} on ${operation} #${nth} of ${total}`;
            const error = await openStore(DATA_DIR, { fs: disk.fs, processProbe: bootProbe(2), segmentPreallocateBytes: 0 }).then(
              async (opened) => {
                disk.clearFaults(); // a fault the open did not reach would fire in close
                await opened.close();
                return undefined;
              },
              (caught: unknown) => caught,
            );
            if (error === undefined) continue; // a failure the open can live with (a temp file it could not remove)
            failures += 1;
            expect(error, where).toBeInstanceOf(StoreError);
            expect((error as StoreError).code, where).toMatch(/^STORE_[A-Z_]+$/);
            expect((error as StoreError).path, where).toBeTypeOf("string");
            expect((error as StoreError).message, where).toContain(kind);
            // And nothing was lost: with the disk healthy again, the folder opens (a later boot: the lock may be left).
            disk.clearFaults();
            const reopened = await openOnDisk(disk, 3);
            await reopened.close();
          }
        }
      }
      expect(failures).toBeGreaterThan(10);
    });
  }
});

describe("misleading or raw errors on open", () => {
  it("the same folder opened twice in one process: STORE_LOCKED saying it is already open in this process", async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    const error = await openStore(dir).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "STORE_LOCKED", owner: { pid: process.pid } });
    expect((error as Error).message).toContain("already open in this process");
    await store.close();
  });

  it("a path that is a file: a StoreError naming the path and saying it is a file, nothing written", async () => {
    const dir = await tempDir();
    const file = join(dir, "not-a-folder");
    await writeFile(file, "hello");
    for (const readOnly of [false, true]) {
      const error = await openStore(file, { readOnly }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: "STORE_NOT_A_STORE", path: file });
      expect((error as Error).message).toContain("is a file");
    }
    const below = await openStore(join(file, "data")).catch((caught: unknown) => caught);
    expect(below).toMatchObject({ code: "STORE_IO" });
    expect(await readdir(dir)).toEqual(["not-a-folder"]);
  });

  it("a misspelled option is a TypeError naming it and the known ones", async () => {
    const dir = await tempDir();
    const attempt = openStore(dir, { synk: "always" } as never);
    await expect(attempt).rejects.toBeInstanceOf(TypeError);
    await expect(attempt).rejects.toThrow(/"synk".*sync, syncIntervalMs, readOnly/);
    await expect(openStore(dir, { sync: "always", checkIntervalMS: 5 } as never)).rejects.toThrow(/openStore\(\): unknown option "checkIntervalMS"/);
    expect(await readdir(dir)).toEqual([]);
    const store = await openStore(dir, { changeHistoryMax: 10, sync: "none" });
    await store.close();
  });
});
