import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CorruptionError } from "@store/fs";
import { Rng, SimulatedDisk, isPowerCut } from "@store/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JSON_FILE_DEPTH_MAX_DEFAULT, readJsonFile, writeJsonAtomic, type JsonValue, type WriteJsonOptions } from "../src/index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "snapshot-json-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function nested(depth: number): JsonValue {
  let value: JsonValue = 1;
  for (let level = 0; level < depth; level += 1) value = { a: value };
  return value;
}

const document = { name: "Zoë", scores: [1, 2.5, -3e2], nested: { ok: true, none: null, emoji: "🎲" } };

async function corruptionOf(path: string): Promise<CorruptionError> {
  const error: unknown = await readJsonFile(path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CorruptionError);
  return error as CorruptionError;
}

describe("writeJsonAtomic and readJsonFile on the real disk", () => {
  it("round-trips a document, indented with a final newline", async () => {
    const path = join(dir, "doc.json");
    await writeJsonAtomic(path, document);
    expect(await readJsonFile(path)).toEqual(document);
    expect(await readFile(path, "utf8")).toBe(`${JSON.stringify(document, null, 2)}\n`);
    await writeJsonAtomic(path, [1], { spaces: 0 });
    expect(await readFile(path, "utf8")).toBe("[1]\n");
  });

  it("a missing file reads as undefined", async () => {
    expect(await readJsonFile(join(dir, "nope.json"))).toBeUndefined();
  });

  it("refuses values JSON cannot hold and leaves the file as it was", async () => {
    const path = join(dir, "doc.json");
    await writeJsonAtomic(path, { a: 1 });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const bad of [{ a: Number.NaN }, { a: undefined }, { a: () => 1 }, { a: 10n }, cycle, new Date(0), undefined]) {
      await expect(writeJsonAtomic(path, bad)).rejects.toMatchObject({ code: "STORE_INVALID_VALUE", path });
    }
    expect(await readJsonFile(path)).toEqual({ a: 1 });
  });

  it("nesting up to 1 000 levels is written, as documented; 1 001 is refused saying so", async () => {
    const path = join(dir, "deep.json");
    await writeJsonAtomic(path, nested(JSON_FILE_DEPTH_MAX_DEFAULT));
    expect(await readJsonFile(path)).toEqual(nested(JSON_FILE_DEPTH_MAX_DEFAULT));
    await expect(writeJsonAtomic(path, nested(JSON_FILE_DEPTH_MAX_DEFAULT + 1))).rejects.toMatchObject({
      code: "STORE_INVALID_VALUE",
      message: expect.stringContaining(`is nested deeper than valueDepthMax (${JSON_FILE_DEPTH_MAX_DEFAULT})`) as unknown,
    });
    await expect(writeJsonAtomic(path, nested(3), { valueDepthMax: 2 })).rejects.toMatchObject({ code: "STORE_INVALID_VALUE" });
  });

  it("a misspelled or malformed option is a TypeError naming it, before anything is written", async () => {
    const path = join(dir, "doc.json");
    await expect(writeJsonAtomic(path, {}, { space: 0 } as unknown as WriteJsonOptions)).rejects.toThrow(
      'writeJsonAtomic: unknown option "space". The options are fs, spaces, valueDepthMax.',
    );
    await expect(writeJsonAtomic(path, {}, { Spaces: 0 } as unknown as WriteJsonOptions)).rejects.toThrow(/did you mean "spaces"\?/);
    await expect(writeJsonAtomic(path, {}, { valueDepthMax: 0 })).rejects.toThrow(/options\.valueDepthMax must be an integer >= 1, got 0/);
    await expect(writeJsonAtomic(path, {}, null as unknown as WriteJsonOptions)).rejects.toThrow(/options must be an object, got null/);
    await expect(readJsonFile(path, { fss: 1 } as unknown as { fs: never })).rejects.toThrow(/readJsonFile: unknown option "fss"/);
    expect(await readJsonFile(path)).toBeUndefined();
  });

  it("a file truncated at every byte offset is STORE_CORRUPTED naming the file and that offset", async () => {
    const path = join(dir, "players.json");
    const bytes = new TextEncoder().encode(JSON.stringify(document, null, 2));
    for (let length = 0; length < bytes.length; length += 1) {
      await writeFile(path, bytes.subarray(0, length));
      const error = await corruptionOf(path);
      expect(error.code).toBe("STORE_CORRUPTED");
      expect(error.path).toBe(path);
      expect(error.offset).toBe(length);
      expect(error.message).toContain(path);
      expect(error.message).toMatch(length === 0 ? /the file is empty/ : /truncated/);
    }
  });

  it("a file of NUL bytes is reported at byte 0", async () => {
    const path = join(dir, "db.json");
    await writeFile(path, new Uint8Array(4096));
    const error = await corruptionOf(path);
    expect(error.offset).toBe(0);
    expect(error.message).toMatch(/byte 0x00 at byte 0 \(line 1, column 1\)/);
  });

  it("garbage in the middle is reported at its byte, line and column", async () => {
    const path = join(dir, "db.json");
    await writeFile(path, '{\n  "é": 1,\n  "b": x\n}\n');
    const error = await corruptionOf(path);
    expect(error.offset).toBe('{\n  "é": 1,\n  "b": '.length + 1); // é is two bytes
    expect(error.message).toContain("line 3, column 8");
    expect(error.message).toContain('found "x"');
  });

  it("bytes that are not UTF-8 are reported at the first bad byte", async () => {
    const path = join(dir, "db.json");
    await writeFile(path, Buffer.concat([Buffer.from('{"a": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
    const error = await corruptionOf(path);
    expect(error.offset).toBe(7);
    expect(error.message).toContain("not UTF-8");
  });

  it("a UTF-8 byte order mark is accepted", async () => {
    const path = join(dir, "db.json");
    await writeFile(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": 1}')]));
    expect(await readJsonFile(path)).toEqual({ a: 1 });
  });
});

describe("writeJsonAtomic under power loss", () => {
  it("a power cut at every operation leaves the old document or the new one", async () => {
    const path = "/data/doc.json";
    const oldDoc = { version: 1, items: ["a"] };
    const newDoc = { version: 2, items: ["a", "b", "c"] };
    for (let cut = 0; ; cut += 1) {
      const disk = new SimulatedDisk();
      await disk.fs.mkdir("/data");
      await disk.fs.fsyncDir("/");
      await writeJsonAtomic(path, oldDoc, { fs: disk.fs });
      disk.cutPowerAt(disk.operationCount + cut);
      const finished = await writeJsonAtomic(path, newDoc, { fs: disk.fs }).then(
        () => true,
        (error: unknown) => {
          if (!isPowerCut(error)) throw error;
          return false;
        },
      );
      for (let seed = 0; seed < 8; seed += 1) {
        const after = disk.crash(new Rng(cut * 1000 + seed));
        const found = await readJsonFile(path, { fs: after.fs });
        expect([oldDoc, newDoc], `cut ${cut} seed ${seed}`).toContainEqual(found);
        if (finished) expect(found).toEqual(newDoc);
      }
      if (finished) break;
    }
  });
});
