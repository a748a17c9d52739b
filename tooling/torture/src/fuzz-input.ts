import { encodeRecord, type LogRecord } from "@store/log";
import type { Rng } from "@store/testkit";

/** Records with a valid checksum but strange or wrong contents: what a buggy or hostile writer makes. */
function oddRecord(rng: Rng): Uint8Array {
  const seq = rng.pick([0, 1, 2, 7, -1, 1.5, 2 ** 53, 1e300]);
  const key = rng.pick(["k", "", "__proto__", "constructor", "a\u0000b", "k".repeat(5000), "\ud800"]);
  const value = rng.pick<unknown>([null, 1, "v", [1, [2, [3]]], { a: { b: {} } }, deepArray(rng.int(3_000)), "x".repeat(rng.int(100_000))]);
  const candidates: unknown[] = [
    { op: "set", seq, key, value, ts: 1 },
    { op: "del", seq, key, ts: 1 },
    { op: "batch", seq, ops: [{ op: "set", key, value }, { op: "del", key }], ts: 1 },
    { op: "batch", seq, ops: "nope", ts: 1 },
    { op: "batch", seq, ops: [], ts: 1 },
    { op: "header", format: "store-log", v: rng.pick([1, 2, 99]), kind: rng.pick(["segment", "base", "other"]), seq, ts: 1 },
    { op: "entry", seq, key, value },
    { op: "end", entries: rng.pick([0, 1, 5, -1]) },
    { op: "set", seq, key },
    { op: rng.pick(["put", "checkpoint", 1, null]), seq },
    [1, 2, 3],
    "a string",
  ];
  // encodeRecord frames anything JSON can hold; the reader must judge the contents.
  return encodeRecord(rng.pick(candidates) as LogRecord);
}

function deepArray(depth: number): unknown {
  let value: unknown = 0;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

function lineSpans(bytes: Uint8Array): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let start = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    if (bytes[index] === 0x0a) {
      spans.push([start, index + 1]);
      start = index + 1;
    }
  }
  if (start < bytes.length) spans.push([start, bytes.length]);
  return spans;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.length)));
}

/** One random mutation: flip, cut, insert, splice lines, swap them, or add an odd record. */
function mutate(bytes: Uint8Array, rng: Rng): Uint8Array {
  const at = bytes.length === 0 ? 0 : rng.int(bytes.length + 1);
  const lines = lineSpans(bytes);
  const line = (): Uint8Array => {
    if (lines.length === 0) return new Uint8Array(0);
    const [start, end] = rng.pick(lines);
    return bytes.subarray(start, end);
  };
  switch (rng.int(9)) {
    case 0: {
      const copy = bytes.slice();
      if (copy.length > 0) copy[rng.int(copy.length)]! ^= 1 << rng.int(8);
      return copy;
    }
    case 1:
      return bytes.subarray(0, at);
    case 2:
      return concat([bytes.subarray(0, at), rng.bytes(1 + rng.int(64)), bytes.subarray(at)]);
    case 3:
      return concat([bytes.subarray(0, at), line(), bytes.subarray(at)]);
    case 4:
      return concat([...lines.map(() => line())]);
    case 5:
      return concat([bytes, oddRecord(rng)]);
    case 6:
      return concat([bytes.subarray(0, at), oddRecord(rng), bytes.subarray(at)]);
    case 7:
      return concat([bytes.subarray(0, at), new Uint8Array(1 + rng.int(4096)), bytes.subarray(at)]);
    default:
      return Buffer.from(Buffer.from(bytes).toString("latin1").replaceAll("\n", rng.pick(["\r\n", "\n\n", ""])), "latin1");
  }
}

/** Random bytes, a run of odd records, or a valid file mutated one to five times. */
export function fuzzFile(valid: readonly Uint8Array[], rng: Rng): Uint8Array {
  const roll = rng.int(10);
  if (roll === 0) return rng.bytes(rng.int(3000));
  if (roll === 1) return concat(Array.from({ length: 1 + rng.int(8) }, () => oddRecord(rng)));
  let bytes = rng.pick(valid);
  for (let count = 1 + rng.int(5); count > 0; count -= 1) bytes = mutate(bytes, rng);
  return bytes;
}
