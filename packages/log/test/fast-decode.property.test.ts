import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeLineForReplay } from "../src/fast-decode.js";
import { decodeLine, frameJson } from "../src/format.js";
import { entryJson, setJson } from "../src/record-layout.js";

const keyArb = fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('a"b', "a\\b", 'x,"ts":1}', "é/ü/💾", "players/42"));
const valueArb = fc.oneof(fc.jsonValue(), fc.constantFrom('{"ts":1}', ',"ts":12}', "}", '"value":'));

describe("the replay decoder", () => {
  it("reads every set and entry line the encoder writes exactly as the full parse does", () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), keyArb, valueArb, fc.nat(), fc.boolean(), (seq, key, value, ts, isEntry) => {
        const json = JSON.stringify(value);
        const text = isEntry ? entryJson(seq, key, json) : setJson(seq, key, json, ts);
        const line = frameJson(text);
        const full = decodeLine(line, 0, line.length - 1);
        const fast = decodeLineForReplay(line, 0, line.length - 1);
        expect(typeof full).not.toBe("string");
        expect(typeof fast).not.toBe("string");
        if (typeof fast === "string" || typeof full === "string" || !("source" in fast)) throw new Error("expected a raw value record");
        expect(fast.source).toBe(line);
        expect({ op: fast.op, seq: fast.seq, key: fast.key, value: JSON.parse(fast.source.toString("utf8", fast.valueStart, fast.valueEnd)) as unknown }).toEqual({ op: full.op, seq: (full as { seq: number }).seq, key: (full as { key: string }).key, value: (full as { value: unknown }).value });
      }),
      { numRuns: 2000 },
    );
  });

  it("falls back to the full parse for other layouts, and rejects what fails its checksum", () => {
    const reordered = frameJson('{"seq":5,"op":"set","key":"k","value":1,"ts":2}');
    expect(decodeLineForReplay(reordered, 0, reordered.length - 1)).toEqual({ seq: 5, op: "set", key: "k", value: 1, ts: 2 });
    const damaged = Buffer.from(frameJson('{"op":"set","seq":1,"key":"k","value":1,"ts":2}'));
    damaged[20] = damaged[20]! ^ 1;
    expect(decodeLineForReplay(damaged, 0, damaged.length - 1)).toBe("checksum mismatch");
  });
});
