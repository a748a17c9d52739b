import { cp, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32 } from "node:zlib";
import { nodeFileSystem } from "@store/fs";
import { Rng, SimulatedDisk, delegatingFs, delegatingHandle, isPowerCut, runWithSeed } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { loadCheckedBase } from "../src/base-load.js";
import { CorruptionError, decodeLine, describeFolder, encodeRecord, exportEntries, openStore, readLog, verifyFolder, type JsonValue } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { DATA_DIR, modelAt, openOnDisk, runWorkload, stateOf } from "./sim-helpers.js";

const V1_FOLDER = fileURLToPath(new URL("./fixtures/v1-compacted", import.meta.url));
const V1_STATE: Record<string, JsonValue> = {
  "players/42": { name: "Ada", tokens: 10 },
  "balances/42": 5,
  "é/ü/💾": '"quoted" \\ and\nnewline',
  'a"b': [1, 2.5, null, true, { deep: { er: [] } }],
  "players/1": { name: "Bo" },
  "players/2": { name: "Cy" },
};

async function compactedStore(entries: Record<string, JsonValue>): Promise<{ dir: string; base: string }> {
  const dir = await tempDir();
  const store = await openStore(dir);
  for (const [key, value] of Object.entries(entries)) await store.set(key, value);
  const { baseFile } = await store.compact();
  await store.close();
  return { dir, base: join(dir, baseFile) };
}

async function stateIn(dir: string): Promise<Record<string, JsonValue>> {
  const store = await openStore(dir, { readOnly: true });
  try {
    return Object.fromEntries(store.scan(""));
  } finally {
    await store.close();
  }
}

const SAMPLE: Record<string, JsonValue> = { "players/1": { name: "Ada" }, 'k"\\': [1, "two"], "é/💾": "ü", "n/0": 0 };

describe("the base's end marker", () => {
  it("carries the count and CRC-32 of every byte before it", async () => {
    const { base } = await compactedStore(SAMPLE);
    const bytes = await readFile(base);
    const endStart = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;
    const end = decodeLine(bytes, endStart, bytes.length - 1);
    expect(end).toEqual({ op: "end", entries: 4, bytes: endStart, crc: crc32(bytes.subarray(0, endStart)) });
  });

  it("lets a base be loaded from one checksum, with the state the line-by-line reader gives", async () => {
    const { dir, base } = await compactedStore(SAMPLE);
    const checked = await loadCheckedBase(nodeFileSystem, base);
    expect(checked?.keyspace.size).toBe(4);
    for (const [key, value] of Object.entries(SAMPLE)) expect(checked?.keyspace.getEntry(key)?.value).toEqual(value);
    expect(await stateIn(dir)).toEqual(SAMPLE);
  });

  it("that does not match intact lines sends the open to the line-by-line reader, which keeps every entry", async () => {
    const { dir, base } = await compactedStore(SAMPLE);
    const bytes = await readFile(base);
    const endStart = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;
    for (const wrong of [{ bytes: endStart, crc: (crc32(bytes.subarray(0, endStart)) + 1) >>> 0 }, { bytes: endStart - 1, crc: crc32(bytes.subarray(0, endStart)) }]) {
      await writeFile(base, Buffer.concat([bytes.subarray(0, endStart), encodeRecord({ op: "end", entries: 4, ...wrong })]));
      expect(await loadCheckedBase(nodeFileSystem, base)).toBeUndefined();
      expect(await stateIn(dir)).toEqual(SAMPLE);
    }
  });

  it("does not hide damage: every byte changed in a base is reported at the offset of its line", async () => {
    const { dir, base } = await compactedStore(SAMPLE);
    const bytes = await readFile(base);
    const lineStarts = [0];
    for (let index = 0; index < bytes.length - 1; index += 1) if (bytes[index] === 0x0a) lineStarts.push(index + 1);
    for (let offset = 0; offset < bytes.length; offset += 1) {
      const damaged = Buffer.from(bytes);
      damaged[offset] = damaged[offset]! ^ 0x01;
      await writeFile(base, damaged);
      expect(await loadCheckedBase(nodeFileSystem, base), `byte ${offset}`).toBeUndefined();
      const error = await openStore(dir, { readOnly: true }).then(
        async (store) => {
          await store.close();
          return undefined;
        },
        (caught: unknown) => caught,
      );
      expect(error, `byte ${offset}`).toBeInstanceOf(CorruptionError);
      // A flipped newline joins two lines: the damage is placed at the newline; anything else at its line.
      const lineStart = lineStarts.filter((start) => start <= offset).at(-1)!;
      expect([lineStart, offset]).toContain((error as CorruptionError).offset);
    }
  });
});

describe("a folder written before the end marker carried a checksum", () => {
  it("opens with the same state, and its base takes the line-by-line reader", async () => {
    const dir = await tempDir();
    await cp(V1_FOLDER, dir, { recursive: true });
    expect(await loadCheckedBase(nodeFileSystem, join(dir, "000002.base"))).toBeUndefined();
    const store = await openStore(dir);
    expect(Object.fromEntries(store.scan(""))).toEqual(V1_STATE);
    expect(store.recovery.baseFile).toBe("000002.base");
    await store.set("players/3", { name: "Di" });
    const { baseFile } = await store.compact();
    await store.close();
    expect(await loadCheckedBase(nodeFileSystem, join(dir, baseFile))).toBeDefined();
    expect(await stateIn(dir)).toEqual({ ...V1_STATE, "players/3": { name: "Di" } });
  });

  it("is not read whole before the line-by-line reader reads it: only its last line is looked at", async () => {
    const entries = Object.fromEntries(Array.from({ length: 200 }, (_, index) => [`players/${index}`, { name: "x".repeat(50), index }]));
    const { dir, base } = await compactedStore(entries);
    const bytes = await readFile(base);
    const endStart = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;
    await writeFile(base, Buffer.concat([bytes.subarray(0, endStart), encodeRecord({ op: "end", entries: 200 })]));
    let bytesRead = 0;
    const counting = delegatingFs(nodeFileSystem);
    counting.open = async (path, flags) => {
      const inner = await nodeFileSystem.open(path, flags);
      const handle = delegatingHandle(inner);
      handle.read = async (into, offset, length, position) => {
        const count = await inner.read(into, offset, length, position);
        bytesRead += count;
        return count;
      };
      return handle;
    };
    expect(await loadCheckedBase(counting, base)).toBeUndefined();
    expect(bytesRead).toBeLessThanOrEqual(512);
    expect(await stateIn(dir)).toEqual(entries);
  });

  it("and the new base are read alike by readLog, verifyFolder, exportEntries and describeFolder", async () => {
    const dir = await tempDir();
    await cp(V1_FOLDER, dir, { recursive: true });
    const store = await openStore(dir);
    await store.compact();
    await store.close();
    for (const folder of [V1_FOLDER, dir]) {
      const state: Record<string, JsonValue> = {};
      for await (const entry of readLog(folder)) if (entry.record.op === "entry") state[entry.record.key] = entry.record.value;
      expect(Object.keys(state).length, folder).toBeGreaterThanOrEqual(5);
      expect((await verifyFolder(folder)).ok, folder).toBe(true);
      const exported: Record<string, JsonValue> = {};
      const exporting = await exportEntries(folder);
      for await (const entry of exporting.entries()) exported[entry.key] = entry.value;
      await exporting.close();
      expect(exported, folder).toEqual(V1_STATE);
      expect((await describeFolder(folder)).base?.seq, folder).toBeGreaterThanOrEqual(6);
    }
  });
});

describe("power loss during a compaction", () => {
  it("leaves no base, or a base that checks out whole: the quick load never meets a half-written one", async () => {
    let cuts = 0;
    let checkedBases = 0;
    for (let cutIndex = 0; ; cutIndex += 1) {
      const disk = new SimulatedDisk();
      const setup = await openOnDisk(disk, 1);
      expect((await runWorkload(setup, new Rng(3), 25)).completed).toBe(true);
      const initial = { state: stateOf(setup), seq: setup.seq };
      disk.cutPowerAt(disk.operationCount + cutIndex);
      const [result] = await Promise.all([
        runWorkload(setup, new Rng(cutIndex), 10, 2),
        setup.compact().catch((error: unknown) => {
          if (!isPowerCut(error) && (error as { code?: string }).code !== "STORE_FAILED" && (error as { code?: string }).code !== "STORE_IO") throw error;
        }),
      ]);
      await setup.close().catch(() => undefined);
      await runWithSeed(cutIndex, async (rng) => {
        const crashed = disk.crash(rng);
        for (const path of crashed.files().keys()) {
          if (!path.startsWith(`${DATA_DIR}/`) || !path.endsWith(".base")) continue;
          expect(await loadCheckedBase(crashed.fs, path), path).toBeDefined();
          checkedBases += 1;
        }
        const store = await openOnDisk(crashed, 2);
        expect(store.seq).toBeGreaterThanOrEqual(Math.max(0, ...result.acknowledged));
        expect(stateOf(store)).toEqual(modelAt(initial.state, result.issued, store.seq));
        await store.close();
      });
      cuts += 1;
      if (!disk.powerIsCut) break;
    }
    expect(cuts).toBeGreaterThan(10);
    expect(checkedBases).toBeGreaterThan(0);
  });

  it("a base torn at any byte is never loaded by the quick path, and the open refuses it as before", async () => {
    const { dir, base } = await compactedStore(SAMPLE);
    const bytes = await readFile(base);
    for (let length = 0; length < bytes.length; length += 7) {
      await writeFile(base, bytes.subarray(0, length));
      expect(await loadCheckedBase(nodeFileSystem, base), `length ${length}`).toBeUndefined();
    }
    await writeFile(base, bytes.subarray(0, bytes.length - 3));
    await expect(openStore(dir, { readOnly: true })).rejects.toBeInstanceOf(CorruptionError);
    expect((await readdir(dir)).sort()).toContain("000002.base");
  });
});
