import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "../src/backoff.js";
import { encodeFrame, FrameReader } from "../src/frame.js";
import { FrameWriter } from "../src/frame-writer.js";

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

describe("FrameWriter", () => {
  type Step = { kind: "text"; text: string; flushable: boolean } | { kind: "event"; head: string; ops: string } | { kind: "flush" };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant("text" as const), text: fc.string({ unit: "grapheme", maxLength: 200 }), flushable: fc.boolean() }) },
    // Large enough to be written on its own, past the staging buffer.
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("text" as const), text: fc.integer({ min: 20_000, max: 70_000 }).map((n) => "é".repeat(n)), flushable: fc.boolean() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("event" as const), head: fc.nat().map((n) => `{"t":"ev","sub":1,"seq":${n},"ops":`), ops: fc.oneof(fc.string({ unit: "grapheme", maxLength: 100 }), fc.constant("x".repeat(70_000))) }) },
    { weight: 1, arbitrary: fc.constant({ kind: "flush" as const }) },
  );

  it("hands every frame to the socket whole and in order, a turn's small frames in one write, and marks a request flushed only once the socket took it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const writes: Buffer[] = [];
        const callbacks: Array<() => void> = [];
        const writer = new FrameWriter({
          writable: true,
          write: (bytes, callback) => {
            writes.push(Buffer.from(bytes));
            if (callback !== undefined) {
              callbacks.push(() => {
                callback(null);
              });
            }
            return true;
          },
        });
        const expected: string[] = [];
        const flushables: Array<{ flushed: boolean }> = [];
        for (const item of steps) {
          if (item.kind === "text") {
            const flushable = { flushed: false };
            if (item.flushable) flushables.push(flushable);
            writer.write(item.text, item.flushable ? flushable : undefined);
            expected.push(item.text);
          } else if (item.kind === "event") {
            writer.writeEvent(item.head, Buffer.from(item.ops, "utf8"));
            expected.push(`${item.head}${item.ops}}`);
          } else writer.flush();
        }
        expect(flushables.every((flushable) => !flushable.flushed)).toBe(true);
        await new Promise((resolve) => setImmediate(resolve));
        expect(writer.stagedBytes).toBe(0);
        for (const run of callbacks) run();
        expect(flushables.every((flushable) => flushable.flushed)).toBe(true);
        const reader = new FrameReader(1024 * 1024);
        reader.push(Buffer.concat(writes));
        const read: string[] = [];
        for (let frame = reader.next(); frame !== undefined; frame = reader.next()) read.push(frame.toString("utf8"));
        expect(read).toEqual(expected);
        // Without flush steps or large frames, one turn is one write.
        if (steps.every((item) => item.kind !== "flush" && (item.kind === "text" ? item.text.length < 20_000 : item.ops.length < 70_000)) && expected.length > 0) {
          expect(writes).toHaveLength(1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("writes nothing to a socket that is no longer writable, and marks nothing flushed", async () => {
    const writes: Buffer[] = [];
    const writer = new FrameWriter({ writable: false, write: (bytes) => writes.push(bytes) > 0 });
    const flushable = { flushed: false };
    writer.write("{}", flushable);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([]);
    expect(flushable.flushed).toBe(false);
  });
});
