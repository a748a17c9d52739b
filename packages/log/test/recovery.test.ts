import { cp, readFile, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { atomicReplace, type FileHandle, type FileSystem } from "@store/fs";
import { SimulatedDisk, delegatingFs, delegatingHandle } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { CorruptionError, openStore, type JsonValue } from "../src/index.js";
import { tempDir } from "./helpers.js";

const RECORDS = 12;

/** A disk whose all-zero writes land a little later, as a pwrite still queued on libuv's thread pool does. */
function withLateZeroPages(fs: FileSystem): FileSystem {
  const lateZeros = (handle: FileHandle): FileHandle => ({
    ...delegatingHandle(handle),
    write: async (data, offset, length, position) => {
      if (length > 0 && data.subarray(offset, offset + length).every((byte) => byte === 0)) await new Promise((resolve) => setTimeout(resolve, 5));
      return handle.write(data, offset, length, position);
    },
  });
  return { ...delegatingFs(fs), open: async (path, flags) => lateZeros(await fs.open(path, flags)) };
}

/** A closed store with RECORDS sets, each value a little different in size. */
async function writeSmallLog(): Promise<{ dir: string; segment: string; ends: number[] }> {
  const dir = await tempDir();
  // No preallocated zeros: every byte of this file is a record byte (zeros have their own test).
  const store = await openStore(dir, { segmentPreallocateBytes: 0 });
  for (let index = 0; index < RECORDS; index += 1) await store.set(`key/${index % 5}`, { index, pad: "x".repeat(index) });
  await store.close();
  const segment = join(dir, (await readdir(dir)).find((name) => name.endsWith(".log"))!);
  const bytes = await readFile(segment);
  const ends: number[] = [];
  for (let offset = bytes.indexOf(10); offset !== -1; offset = bytes.indexOf(10, offset + 1)) ends.push(offset + 1);
  return { dir, segment, ends };
}

/** The state after the first `count` sets of writeSmallLog. */
function expectedState(count: number): Map<string, JsonValue> {
  const state = new Map<string, JsonValue>();
  for (let index = 0; index < count; index += 1) state.set(`key/${index % 5}`, { index, pad: "x".repeat(index) });
  return state;
}

async function stateOf(dir: string): Promise<{ state: Map<string, JsonValue>; tornBytes: number | undefined }> {
  const store = await openStore(dir);
  const state = new Map(store.scan());
  const tornBytes = store.recovery.tornTail?.bytes;
  await store.close();
  return { state, tornBytes };
}

describe("recovery", () => {
  it("a log truncated at every byte offset of its last records opens with exactly the whole records", async () => {
    const { dir, segment, ends } = await writeSmallLog();
    const size = ends.at(-1)!;
    const from = ends.at(-4)!; // the last three records, byte by byte
    for (let cut = from; cut <= size; cut += 1) {
      const copy = await tempDir();
      await cp(dir, copy, { recursive: true });
      const copySegment = join(copy, segment.slice(dir.length + 1));
      await truncate(copySegment, cut);
      const whole = ends.filter((end) => end <= cut).length - 1; // minus the header
      const { state, tornBytes } = await stateOf(copy);
      expect(state, `cut at ${cut}`).toEqual(expectedState(whole));
      const partial = cut - (ends.filter((end) => end <= cut).at(-1) ?? 0);
      expect(tornBytes, `cut at ${cut}`).toBe(partial === 0 ? undefined : partial);
      expect((await readFile(copySegment)).length, "the torn tail is cut off the file").toBe(cut - partial);
    }
  });

  it("every flipped bit is either reported as corruption with file and offset, or cut as a torn last record", async () => {
    // Thousands of opens: on the simulated disk, so the test measures the reader, not the real disk.
    const { segment, ends } = await writeSmallLog();
    const original = await readFile(segment);
    const lastStart = ends.at(-2)!;
    const disk = new SimulatedDisk();
    const simSegment = `/data/${basename(segment)}`;
    await disk.fs.mkdir("/data");
    for (let byte = 0; byte < original.length; byte += 1) {
      for (let bit = 0; bit < 8; bit += 1) {
        const damaged = Buffer.from(original);
        damaged[byte] = damaged[byte]! ^ (1 << bit);
        await atomicReplace(disk.fs, simSegment, damaged);
        const where = `byte ${byte} bit ${bit}`;
        try {
          const store = await openStore("/data", { fs: disk.fs, readOnly: true });
          const state = new Map(store.scan());
          await store.close();
          expect(byte, `${where}: only damage in the last record may be cut quietly`).toBeGreaterThanOrEqual(lastStart);
          expect(state, where).toEqual(expectedState(RECORDS - 1));
        } catch (error) {
          if (!(error instanceof CorruptionError)) throw error;
          expect(error.code).toBe("STORE_CORRUPTED");
          expect(error.path).toBe(simSegment);
          expect(error.offset, where).toBeLessThanOrEqual(byte);
          expect(byte, `${where}: damage in the last record is a torn tail`).toBeLessThan(lastStart);
        }
      }
    }
  });

  it("a damaged record followed by whole ones is refused, and salvage keeps the rest and the damaged file", async () => {
    const { dir, segment, ends } = await writeSmallLog();
    const bytes = await readFile(segment);
    const target = ends[4]! + 12; // inside the fifth set
    bytes[target] = bytes[target]! ^ 0xff;
    await writeFile(segment, bytes);
    await expect(openStore(dir)).rejects.toMatchObject({ code: "STORE_CORRUPTED", offset: ends[4], path: segment });
    const store = await openStore(dir, { onCorruption: "salvage" });
    // The fifth set (key/4) is lost, but key/4 is written again later, so the state is the full one.
    expect(new Map(store.scan())).toEqual(expectedState(RECORDS));
    expect(store.recovery.salvaged[0]?.damage[0]?.offset).toBe(ends[4]);
    expect(store.recovery.salvaged).toHaveLength(1);
    const keptAt = store.recovery.salvaged[0]!.keptAt;
    expect(await readFile(keptAt)).toEqual(bytes);
    await store.close();
    const again = await openStore(dir);
    expect(again.recovery.salvaged).toHaveLength(0);
    await again.close();
  });

  it("a base file with a damaged byte is corruption, never a torn tail", async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    for (let index = 0; index < 20; index += 1) await store.set(`k${index}`, index);
    await store.compact();
    await store.close();
    const base = join(dir, (await readdir(dir)).find((name) => name.endsWith(".base"))!);
    const bytes = await readFile(base);
    await writeFile(base, bytes.subarray(0, bytes.length - 3));
    await expect(openStore(dir)).rejects.toMatchObject({ code: "STORE_CORRUPTED", path: base });
  });
});

describe("preallocated segments", () => {
  it("zeros after the last record are free space: no torn tail, and the next write goes right after the last record", async () => {
    const dir = await tempDir();
    const store = await openStore(dir, { segmentPreallocateBytes: 64 * 1024 });
    for (let index = 0; index < 20; index += 1) await store.set(`k${index}`, index);
    await store.close();
    const segment = join(dir, "000001.log");
    const bytes = await readFile(segment);
    expect(bytes.length, "the file holds preallocated zeros").toBeGreaterThan(64 * 1024);
    const reopened = await openStore(dir);
    expect(reopened.recovery.tornTail).toBeNull();
    expect(reopened.seq).toBe(20);
    await reopened.set("after", true);
    await reopened.close();
    const again = await openStore(dir, { readOnly: true });
    expect(again.get("after")).toBe(true);
    expect(again.seq).toBe(21);
    await again.close();
  });

  it("a flipped bit in the zeros is a torn tail: cut, with every record kept", async () => {
    const dir = await tempDir();
    const store = await openStore(dir, { segmentPreallocateBytes: 64 * 1024 });
    for (let index = 0; index < 20; index += 1) await store.set(`k${index}`, index);
    await store.close();
    const segment = join(dir, "000001.log");
    const original = await readFile(segment);
    let dataEnd = original.length;
    while (original[dataEnd - 1] === 0) dataEnd -= 1;
    for (const offset of [dataEnd, dataEnd + 1, dataEnd + 4095, original.length - 1]) {
      const damaged = Buffer.from(original);
      damaged[offset] = 0x41;
      await writeFile(segment, damaged);
      const reopened = await openStore(dir);
      expect(reopened.recovery.tornTail, `offset ${offset}`).toMatchObject({ offset: dataEnd, bytes: offset + 1 - dataEnd });
      expect(reopened.seq).toBe(20);
      await reopened.close();
      await writeFile(segment, original);
    }
  });
  it("a zero page still being written when a group claims its range lands before the group, never over it", async () => {
    const disk = new SimulatedDisk();
    const store = await openStore("/data", { fs: withLateZeroPages(disk.fs), sync: "none", segmentPreallocateBytes: 64 * 1024 });
    for (let round = 0; round < 20; round += 1) {
      await Promise.all(Array.from({ length: 200 }, (_, index) => store.set(`k${index}`, { round, pad: "p".repeat(60) })));
    }
    await store.close();
    const reopened = await openStore("/data", { fs: disk.fs, readOnly: true });
    expect(reopened.recovery.tornTail).toBeNull();
    expect(reopened.seq).toBe(4000);
    for (let index = 0; index < 200; index += 1) expect(reopened.get(`k${index}`)).toMatchObject({ round: 19 });
    await reopened.close();
  });

  it("groups larger than a zero page never race the zero fill: every record survives a real disk", async () => {
    // Real pwrites run on libuv's thread pool and may land in any order, so a zero page written
    // over a range a group has claimed would wipe acknowledged records.
    const dir = await tempDir();
    const store = await openStore(dir, { sync: "none", segmentPreallocateBytes: 256 * 1024 });
    const writes: Promise<unknown>[] = [];
    for (let index = 0; index < 40_000; index += 1) {
      writes.push(store.set(`k${index % 5000}`, { index, pad: "p".repeat(index % 97) }));
      if (writes.length === 1000) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    await store.close();
    const reopened = await openStore(dir, { readOnly: true });
    expect(reopened.recovery.tornTail).toBeNull();
    expect(reopened.seq).toBe(40_000);
    for (let key = 0; key < 5000; key += 1) expect(reopened.get(`k${key}`)).toMatchObject({ index: 35_000 + key });
    await reopened.close();
  });
});

describe("files that are missing or salvaged", () => {
  async function threeSegments(): Promise<string> {
    const dir = await tempDir();
    const store = await openStore(dir, { segmentBytesMax: 600, segmentPreallocateBytes: 0 });
    for (let index = 0; index < 30; index += 1) await store.set(`k${index}`, { index, pad: "p".repeat(40) });
    await store.close();
    return dir;
  }

  it("a missing segment in the middle is corruption, not a shorter history", async () => {
    const dir = await threeSegments();
    const segments = (await readdir(dir)).filter((name) => name.endsWith(".log"));
    expect(segments.length).toBeGreaterThanOrEqual(3);
    await rm(join(dir, segments[1]!));
    await expect(openStore(dir, { readOnly: true })).rejects.toMatchObject({ code: "STORE_CORRUPTED", message: expect.stringContaining("records are missing") as unknown });
  });

  it("a segment cut at a record boundary is detected by the next segment's header", async () => {
    const dir = await threeSegments();
    const first = join(dir, "000001.log");
    const bytes = await readFile(first);
    const lastNewline = bytes.lastIndexOf(10, bytes.length - 2);
    await writeFile(first, bytes.subarray(0, lastNewline + 1));
    await expect(openStore(dir, { readOnly: true })).rejects.toMatchObject({ code: "STORE_CORRUPTED", path: join(dir, "000002.log") });
  });

  it("after salvage dropped the last record of a segment, later opens accept the gap it left", async () => {
    const dir = await threeSegments();
    const first = join(dir, "000001.log");
    const bytes = await readFile(first);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x01;
    await writeFile(first, bytes);
    await expect(openStore(dir)).rejects.toMatchObject({ code: "STORE_CORRUPTED" });
    const salvaged = await openStore(dir, { onCorruption: "salvage" });
    expect(salvaged.recovery.salvaged).toHaveLength(1);
    const state = [...salvaged.scan()];
    await salvaged.close();
    const again = await openStore(dir);
    expect([...again.scan()]).toEqual(state);
    await again.close();
  });

  it("a damaged base is salvaged into a whole base that later opens accept", async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    for (let index = 0; index < 20; index += 1) await store.set(`k${index}`, index);
    await store.compact();
    await store.set("after", 1);
    await store.close();
    const base = join(dir, "000002.base");
    const bytes = await readFile(base);
    bytes[200] = bytes[200]! ^ 0x01;
    await writeFile(base, bytes);
    const salvaged = await openStore(dir, { onCorruption: "salvage" });
    expect(salvaged.recovery.salvaged[0]?.path).toBe(base);
    const state = [...salvaged.scan()];
    expect(state.length).toBe(20); // 19 keys of the base, plus "after"
    await salvaged.close();
    const again = await openStore(dir);
    expect([...again.scan()]).toEqual(state);
    await again.close();
  });
});
