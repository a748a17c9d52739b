import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { nodeFileSystem } from "@store/fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeLineForReplay, type RawValueRecord } from "../src/fast-decode.js";
import { decodeLine, frameJson, type LogRecord } from "../src/format.js";
import { Keyspace } from "../src/keyspace.js";
import { scanFile } from "../src/reader.js";
import { setJson } from "../src/record-layout.js";
import { tempDir } from "./helpers.js";

const keyArb = fc.constantFrom("a", "b", "players/1", "é/💾", 'q"k');
// Now and then a value longer than the room a chunk keeps for the line carried from the one before.
const valueArb = fc.oneof({ arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 9 }, { arbitrary: fc.constant({ big: "x".repeat(70_000) }), weight: 1 });

describe("records read in chunks", () => {
  it("are the file's lines whatever the chunk size, with values left in the read buffers intact", async () => {
    const dir = await tempDir();
    let file = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(keyArb, valueArb), { minLength: 1, maxLength: 8 }), fc.constantFrom(7, 64, 1000, 70_000, 1 << 22), async (writes, chunkBytes) => {
        const lines = writes.map(([key, value], index) => frameJson(setJson(index + 1, key, JSON.stringify(value), 1)));
        const path = join(dir, `${(file += 1)}.log`);
        await writeFile(path, Buffer.concat(lines));
        const full: Array<{ record: LogRecord; offset: number }> = [];
        await scanFile(nodeFileSystem, path, (record, offset) => full.push({ record, offset }), { chunkBytes });
        const raw: Array<RawValueRecord | LogRecord> = [];
        const scan = await scanFile(nodeFileSystem, path, (record) => raw.push(record), { chunkBytes, decode: decodeLineForReplay });
        expect(scan.damage).toEqual([]);
        let offset = 0;
        for (const [index, line] of lines.entries()) {
          expect(full[index]).toEqual({ record: decodeLine(line, 0, line.length - 1), offset });
          const record = raw[index]!;
          if (!("source" in record)) throw new Error("expected a raw value record");
          // Read after the whole file was scanned: later chunks must not have written over earlier ones.
          expect(JSON.parse(record.source.toString("utf8", record.valueStart, record.valueEnd))).toEqual(JSON.parse(JSON.stringify(writes[index]![1])));
          offset += line.length;
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe("replayed values", () => {
  it("read the same before and after they are packed out of the read buffers, whenever that happens", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, fc.jsonValue({ maxDepth: 2 }), fc.boolean()), { minLength: 1, maxLength: 40 }), (steps) => {
        const keyspace = new Keyspace();
        const kept = Buffer.from('{"kept":true}');
        keyspace.replaySet("kept", kept, 0, kept.length, 1, 20);
        const model = new Map<string, unknown>([["kept", { kept: true }]]);
        const sources: Buffer[] = [];
        for (const [index, [key, value, pack]] of steps.entries()) {
          const text = `xx${JSON.stringify(value)}yy`;
          const source = Buffer.from(text);
          sources.push(source);
          keyspace.replaySet(key, source, 2, source.length - 2, index + 2, text.length);
          model.set(key, JSON.parse(JSON.stringify(value)));
          if (pack) keyspace.packValues(kept);
        }
        keyspace.packValues(kept);
        for (const source of sources) source.fill(0x20); // a packed value no longer reads from its read buffer
        expect(keyspace.size).toBe(model.size);
        for (const [key, value] of model) expect(keyspace.get(key)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe("packing replayed values", () => {
  function replayValue(keyspace: Keyspace, key: string, version: number, text: string): void {
    const source = Buffer.from(text);
    keyspace.replaySet(key, source, 0, source.length, version, text.length);
  }

  it("copies values packed before only once: a pack after each 64 MiB of segments stays linear", () => {
    const keyspace = new Keyspace();
    for (let index = 0; index < 100; index += 1) replayValue(keyspace, `k${index}`, index + 1, '"0123456789"');
    expect(keyspace.packValues(undefined)).toBe(1200);
    replayValue(keyspace, "new", 101, '"abc"');
    expect(keyspace.packValues(undefined)).toBe(5);
    expect(keyspace.packValues(undefined)).toBe(0);
    expect(keyspace.get("k7")).toBe("0123456789");
    expect(keyspace.get("new")).toBe("abc");
  });

  it("packs everything again once the packed buffers hold more overwritten bytes than live ones", () => {
    const keyspace = new Keyspace();
    for (let index = 0; index < 10; index += 1) replayValue(keyspace, `k${index}`, index + 1, '"0123456789"');
    expect(keyspace.packValues(undefined)).toBe(120);
    // 6 of the 10 packed values overwritten: 72 dead bytes against 48 live.
    for (let index = 0; index < 6; index += 1) replayValue(keyspace, `k${index}`, index + 11, '"x"');
    expect(keyspace.packValues(undefined)).toBe(6 * 3 + 4 * 12);
    for (let index = 0; index < 10; index += 1) expect(keyspace.get(`k${index}`)).toBe(index < 6 ? "x" : "0123456789");
  });
});
