import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonTextOf, lazySetOp, parseFrozenJson, withLazyValue, type JsonValue } from "../src/index.js";

/** Deeply frozen: every object and array in it. */
function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

const jsonValues = fc.jsonValue() as fc.Arbitrary<JsonValue>;

describe("parseFrozenJson", () => {
  it("gives a deep-frozen value equal to the text's, and jsonTextOf gives the text back for an object or array", () => {
    fc.assert(
      fc.property(jsonValues, (value) => {
        const text = JSON.stringify(value);
        const parsed = parseFrozenJson(text);
        expect(parsed).toEqual(JSON.parse(text));
        expect(isDeepFrozen(parsed)).toBe(true);
        if (typeof parsed === "object" && parsed !== null) expect(jsonTextOf(parsed)).toBe(text);
      }),
    );
  });

  it("knows no text for a value it did not parse, even an equal one", () => {
    parseFrozenJson('{"a":1}');
    expect(jsonTextOf({ a: 1 })).toBeUndefined();
  });
});

describe("lazySetOp", () => {
  it("reads as a set op of the text's value, frozen, the same object on every read, with the text kept", () => {
    fc.assert(
      fc.property(fc.string(), jsonValues, (key, value) => {
        const text = JSON.stringify(value);
        const op = lazySetOp(key, text);
        expect(op).toEqual({ type: "set", key, value: JSON.parse(text) as unknown });
        expect(jsonTextOf(op)).toBe(text);
        if (op.type !== "set") throw new Error("a set op");
        expect(op.value).toBe(op.value);
        expect(isDeepFrozen(op.value)).toBe(true);
      }),
    );
  });

  it("parses its text once, on the first read of the value, even when the value is null", () => {
    const parse = JSON.parse;
    let parses = 0;
    JSON.parse = ((text: string) => {
      parses += 1;
      return parse(text) as unknown;
    }) as typeof JSON.parse;
    try {
      const op = lazySetOp("k", "null");
      expect(parses).toBe(0);
      expect({ ...op }).toEqual({ type: "set", key: "k", value: null });
      if (op.type === "set") expect(op.value).toBeNull();
      expect(parses).toBe(1);
    } finally {
      JSON.parse = parse;
    }
  });
});

describe("withLazyValue", () => {
  it("adds an enumerable value made once on first read, and keeps the text", () => {
    let reads = 0;
    const holder = withLazyValue({ key: "k", version: 3 }, "[1]", () => {
      reads += 1;
      return parseFrozenJson("[1]");
    });
    expect(reads).toBe(0);
    expect(jsonTextOf(holder)).toBe("[1]");
    expect(Object.keys(holder)).toEqual(["key", "version", "value"]);
    expect({ ...holder }).toEqual({ key: "k", version: 3, value: [1] });
    expect(holder.value).toBe(holder.value);
    expect(reads).toBe(1);
  });
});
