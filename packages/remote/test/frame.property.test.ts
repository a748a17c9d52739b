import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "../src/backoff.js";
import { encodeFrame, FrameReader } from "../src/frame.js";

describe("FrameReader", () => {
  it("returns every frame whole and in order, however the stream is cut into chunks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 50 }),
        (texts, cuts) => {
          const stream = Buffer.concat(texts.map((text) => encodeFrame(text)));
          const reader = new FrameReader(1024 * 1024);
          const read: string[] = [];
          let offset = 0;
          for (let index = 0; offset < stream.length; index += 1) {
            const size = cuts[index % cuts.length]!;
            reader.push(stream.subarray(offset, offset + size));
            offset += size;
            for (let frame = reader.next(); frame !== undefined; frame = reader.next()) read.push(frame.toString("utf8"));
          }
          expect(read).toEqual(texts);
          expect(reader.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a length over the limit from its 4 header bytes alone, even when they come one by one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1025, max: 2 ** 32 - 1 }), (length) => {
        const reader = new FrameReader(1024);
        const header = Buffer.alloc(4);
        header.writeUInt32BE(length);
        for (let index = 0; index < 3; index += 1) {
          reader.push(header.subarray(index, index + 1));
          expect(reader.next()).toBeUndefined();
        }
        reader.push(header.subarray(3));
        expect(() => reader.next()).toThrow(expect.objectContaining({ code: "STORE_PROTOCOL", message: expect.stringContaining(`announces ${length} bytes`) as unknown }));
      }),
    );
  });

  it("a frame of exactly the limit is accepted", () => {
    const reader = new FrameReader(10);
    reader.push(encodeFrame("0123456789"));
    expect(reader.next()?.toString()).toBe("0123456789");
  });
});

describe("reconnectDelayMs", () => {
  it("waits between half and all of min(max, min * 2^(attempt-1))", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 60_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, min, extra, random) => {
        const max = min + extra;
        const ceiling = Math.min(max, min * 2 ** (attempt - 1));
        const delay = reconnectDelayMs(attempt, min, max, () => random);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(Math.ceil(ceiling));
      }),
    );
  });
});
