import { describe, expect, it } from "vitest";
import { assertJsonValue, jsonValueProblem, VALUE_DEPTH_MAX_DEFAULT } from "../src/index.js";

const limits = { valueDepthMax: VALUE_DEPTH_MAX_DEFAULT };

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = { a: value };
  return value;
}

describe("plain JSON is accepted", () => {
  it.each<[string, unknown]>([
    ["a number", 1.5],
    ["a string", "x"],
    ["null", null],
    ["an object with nested arrays", { a: [1, { b: [] }], c: { d: null } }],
    ["an object without a prototype", Object.assign(Object.create(null) as object, { a: 1 })],
    ["a parsed __proto__ key", JSON.parse('{"__proto__": {"a": 1}}') as unknown],
    ["nesting at valueDepthMax", nested(VALUE_DEPTH_MAX_DEFAULT)],
  ])("%s", (_name, value) => {
    expect(jsonValueProblem(value)).toBeUndefined();
  });

  it("an enumerable property inherited from a polluted Object.prototype is not part of the value", () => {
    Object.defineProperty(Object.prototype, "polluted", { value: () => 1, enumerable: true, configurable: true, writable: true });
    try {
      expect(jsonValueProblem({ a: 1 })).toBeUndefined();
    } finally {
      delete (Object.prototype as { polluted?: unknown }).polluted;
    }
  });
});

describe("values that are not plain data are refused, saying where", () => {
  it("a getter is refused, not checked once and stored as whatever it answers later", () => {
    let reads = 0;
    const value = {
      a: 1,
      get b(): unknown {
        reads += 1;
        return reads === 1 ? 2 : { late: undefined };
      },
    };
    expect(jsonValueProblem(value)).toBe(".b is an accessor property (a getter or setter); store its value as a plain data property");
    expect(reads).toBe(0); // neither path calls it
  });

  it("a setter without a getter is refused", () => {
    const value = {};
    Object.defineProperty(value, "s", { set: () => undefined, enumerable: true });
    expect(jsonValueProblem({ inner: value })).toMatch(/^\.inner\.s is an accessor property/);
  });

  it("a non-enumerable property is refused, not dropped silently", () => {
    const value = { a: 1 };
    Object.defineProperty(value, "hidden", { value: 2, enumerable: false });
    expect(JSON.stringify(value)).toBe('{"a":1}'); // what would have been stored
    expect(jsonValueProblem({ list: [value] })).toBe(".list[0].hidden is not enumerable, so JSON would drop it; make it enumerable or leave it out");
  });

  it("a symbol key is refused", () => {
    expect(jsonValueProblem({ a: { [Symbol("tag")]: 1 } })).toBe(".a has a symbol key (Symbol(tag)), which JSON cannot hold");
  });

  it("assertJsonValue throws STORE_INVALID_VALUE naming the key and the place", () => {
    const value = Object.defineProperty({}, "x", { get: () => 1, enumerable: true });
    expect(() => {
      assertJsonValue(value, "players/a", limits);
    }).toThrow(
      expect.objectContaining({ code: "STORE_INVALID_VALUE", key: "players/a", message: expect.stringContaining(".x is an accessor property") as unknown }),
    );
  });
});

describe("messages read as English", () => {
  it.each<[string, unknown, string]>([
    ["undefined", undefined, "the value is undefined"],
    ["undefined inside", { a: [undefined] }, ".a[0] is undefined"],
    ["a function", () => 1, "the value is a function"],
    ["a symbol", Symbol("s"), "the value is a symbol"],
    ["a BigInt", { n: 12n }, ".n is a BigInt (12n); store it as a string or a number"],
    ["NaN", { x: Number.NaN }, ".x is NaN (only finite numbers are JSON)"],
    ["a Date", { at: new Date(0) }, ".at is an instance of Date, not a plain object"],
    ["an Int8Array", new Int8Array(2), "the value is an instance of Int8Array, not a plain object"],
    ["a class instance", new (class Player {
      name = "p";
    })(), "the value is an instance of Player, not a plain object"],
    ["an anonymous prototype", Object.create({ a: 1 }) as unknown, "the value is an object whose prototype is not Object.prototype, not a plain object"],
    ["a sparse array", [1, , 3], "[1] is a hole in a sparse array"], // eslint-disable-line no-sparse-arrays
    ["too deep", nested(VALUE_DEPTH_MAX_DEFAULT + 1), `${".a".repeat(VALUE_DEPTH_MAX_DEFAULT)} is nested deeper than valueDepthMax (${VALUE_DEPTH_MAX_DEFAULT})`],
  ])("%s", (_name, value, message) => {
    expect(jsonValueProblem(value)).toBe(message);
  });

  it("no message says 'a undefined' or 'a Int8Array'", () => {
    for (const value of [undefined, { a: undefined }, new Int8Array(1), new Uint8Array(1), new (class Item {
      id = 1;
    })()]) {
      expect(jsonValueProblem(value)).not.toMatch(/(^|\s)a [aeiou]/i);
    }
  });

  it("a cycle is named as one", () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = { back: cycle };
    expect(jsonValueProblem(cycle, { valueDepthMax: 1_000 })).toBe(".self.back refers back to itself (a cycle)");
  });
});
