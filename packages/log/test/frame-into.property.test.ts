import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeLine, frameJson, framedBytes, frameJsonInto } from "../src/format.js";

describe("frameJsonInto", () => {
  it("frames any records into one buffer with the bytes frameJson makes for each, at any offset", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ key: fc.string({ unit: "binary" }), value: fc.jsonValue() }), { minLength: 1, maxLength: 20 }), fc.nat({ max: 64 }), (records, start) => {
        const jsons = records.map((record) => JSON.stringify({ op: "entry", seq: 1, key: record.key, value: record.value }));
        // Room as the base writer makes it: 3 bytes per UTF-16 unit, without measuring.
        const buffer = Buffer.alloc(start + jsons.reduce((sum, json) => sum + framedBytes(json.length * 3), 0));
        let offset = start;
        for (const json of jsons) offset += frameJsonInto(buffer, offset, json);
        expect(buffer.subarray(start, offset).equals(Buffer.concat(jsons.map((json) => frameJson(json))))).toBe(true);
        let lineStart = start;
        for (const json of jsons) {
          const end = lineStart + frameJson(json).length - 1;
          expect(decodeLine(buffer, lineStart, end)).toEqual(JSON.parse(json));
          lineStart = end + 1;
        }
      }),
      { numRuns: 300 },
    );
  });
});
