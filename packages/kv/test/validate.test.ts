import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BATCH_BYTES_MAX,
  BATCH_OPS_MAX,
  GET_MANY_KEYS_MAX,
  SCAN_LIMIT_DEFAULT,
  validateKeys,
  validateScanOptions,
  validateSubscribe,
  validateWriteOps,
} from "../src/index.js";

function thrown(call: () => unknown): { name?: string; code?: string; message: string } {
  try {
    call();
  } catch (error) {
    return error as { name?: string; code?: string; message: string };
  }
  return expect.fail("expected a throw");
}

describe("validateWriteOps", () => {
  it("returns the preconditions and the writes, with each value's JSON text and the batch's size", () => {
    const value = { n: 1, s: "é" };
    const batch = validateWriteOps([
      { type: "set", key: "a", value, ifVersion: 3 },
      { type: "check", key: "b", ifVersion: null },
      { type: "delete", key: "c" },
      { type: "delete", key: "d", ifVersion: 7 },
    ]);
    expect(batch.preconditions).toEqual([
      { key: "a", ifVersion: 3 },
      { key: "b", ifVersion: null },
      { key: "d", ifVersion: 7 },
    ]);
    expect(batch.writes).toEqual([
      { type: "set", key: "a", value, json: '{"n":1,"s":"é"}' },
      { type: "delete", key: "c" },
      { type: "delete", key: "d" },
    ]);
    expect(batch.bytes).toBe(4 + Buffer.byteLength('{"n":1,"s":"é"}'));
  });

  it("counts bytes as the UTF-8 of every key plus the JSON text of every value", () => {
    const opArbitrary = fc.record({
      key: fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }),
      value: fc.jsonValue({ maxDepth: 3 }),
      kind: fc.constantFrom("set", "delete", "check"),
    });
    fc.assert(
      fc.property(fc.uniqueArray(opArbitrary, { selector: (op) => op.key, minLength: 1, maxLength: 8 }), (plans) => {
        const ops = plans.map(({ key, value, kind }, index) =>
          kind === "set" || index === 0 ? { type: "set", key, value } : kind === "delete" ? { type: "delete", key } : { type: "check", key, ifVersion: null },
        );
        const expected = ops.reduce((sum, op) => sum + Buffer.byteLength(op.key) + ("value" in op ? Buffer.byteLength(JSON.stringify(op.value)) : 0), 0);
        expect(validateWriteOps(ops).bytes).toBe(expected);
      }),
    );
  });

  it("refuses ifVersion: undefined with a message that says to write null", () => {
    const error = thrown(() => validateWriteOps([{ type: "set", key: "k", value: 1, ifVersion: undefined }]));
    expect(error.name).toBe("TypeError");
    expect(error.message).toContain("Write null");
  });

  it("quotes the bad input in TypeErrors", () => {
    expect(thrown(() => validateWriteOps([{ type: "put", key: "k" }])).message).toContain('"put"');
    expect(thrown(() => validateWriteOps([{ type: "set", key: "k", value: 1, ifversion: 2 }])).message).toContain('"ifversion"');
    expect(thrown(() => validateWriteOps([{ type: "set", key: "k", value: 1, ifVersion: "2" }])).message).toContain('"2"');
    expect(thrown(() => validateWriteOps("ops")).message).toContain('"ops"');
    expect(thrown(() => validateWriteOps([{ type: "set", key: "dup", value: 1 }, { type: "delete", key: "dup" }])).message).toContain('"dup"');
  });

  it("refuses more than BATCH_OPS_MAX operations and more than BATCH_BYTES_MAX bytes with STORE_TOO_LARGE", () => {
    const ops = Array.from({ length: BATCH_OPS_MAX + 1 }, (_, index) => ({ type: "delete", key: `k${index}` }));
    expect(thrown(() => validateWriteOps(ops)).code).toBe("STORE_TOO_LARGE");
    expect(thrown(() => validateWriteOps([{ type: "set", key: "k", value: "x".repeat(BATCH_BYTES_MAX) }])).code).toBe("STORE_TOO_LARGE");
  });
});

describe("validateKeys, validateScanOptions, validateSubscribe", () => {
  it("getMany keys: an array of valid keys, at most GET_MANY_KEYS_MAX", () => {
    expect(validateKeys(["a", "a"])).toEqual(["a", "a"]);
    expect(thrown(() => validateKeys(Array.from({ length: GET_MANY_KEYS_MAX + 1 }, () => "k"))).code).toBe("STORE_TOO_LARGE");
    expect(thrown(() => validateKeys(["a", ""])).code).toBe("STORE_INVALID_KEY");
    expect(thrown(() => validateKeys(new Set(["a"]))).name).toBe("TypeError");
  });

  it("scan options: defaults filled in, undefined properties count as left out", () => {
    expect(validateScanOptions(undefined)).toEqual({ prefix: "", after: undefined, limit: SCAN_LIMIT_DEFAULT, reverse: false });
    expect(validateScanOptions({ prefix: undefined, after: undefined, limit: undefined, reverse: undefined })).toEqual({
      prefix: "",
      after: undefined,
      limit: SCAN_LIMIT_DEFAULT,
      reverse: false,
    });
    expect(validateScanOptions({ prefix: "p/", after: "p/1", limit: 5, reverse: true })).toEqual({ prefix: "p/", after: "p/1", limit: 5, reverse: true });
    expect(thrown(() => validateScanOptions({ prefix: "a\u0001" })).message).toContain("prefix");
  });

  it("subscribe: a function and an optional afterSeq from 0 and onError", () => {
    const listener = (): void => undefined;
    expect(validateSubscribe(listener, { afterSeq: 0 })).toEqual({ listener, afterSeq: 0, onError: undefined });
    expect(thrown(() => validateSubscribe(listener, { onError: "log" })).name).toBe("TypeError");
    expect(thrown(() => validateSubscribe(listener, [])).name).toBe("TypeError");
  });
});
