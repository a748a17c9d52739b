import type { BatchOp, JsonValue, Store } from "@store/log";

/** One kind of bad input and the ways to hand it to a store. */
export interface BadInput {
  readonly name: string;
  readonly attempts: ReadonlyArray<(store: Store) => Promise<unknown>>;
}

function cyclic(): Record<string, unknown> {
  const value: Record<string, unknown> = { a: 1 };
  value.self = { back: value };
  return value;
}

function nested(depth: number): unknown {
  let value: unknown = 0;
  for (let level = 0; level < depth; level += 1) value = { v: value };
  return value;
}

const sparse: unknown[] = [];
sparse[2] = 1;

/** Values that are not plain JSON, or too big: set, and a set inside a batch with a good op. */
const BAD_VALUES: ReadonlyArray<[string, () => unknown]> = [
  ["undefined", () => undefined],
  ["a function", () => () => 1],
  ["a symbol", () => Symbol("s")],
  ["a BigInt", () => 10n],
  ["NaN", () => Number.NaN],
  ["Infinity", () => Number.POSITIVE_INFINITY],
  ["-Infinity", () => Number.NEGATIVE_INFINITY],
  ["a Date", () => new Date(0)],
  ["a Map", () => new Map([["a", 1]])],
  ["a Set", () => new Set([1])],
  ["a RegExp", () => /x/],
  ["a class instance", () => new (class Point { x = 1 })()],
  ["a Uint8Array", () => new Uint8Array(2)],
  ["a boxed string", () => Object("text") as unknown],
  ["an Error", () => new Error("x")],
  ["a Promise", () => Promise.resolve(1)],
  ["an object with a toJSON function", () => ({ toJSON: () => "x" })],
  ["a cycle", cyclic],
  ["a sparse array", () => sparse],
  ["undefined inside an object", () => ({ a: undefined })],
  ["a function inside an array", () => [1, () => 2]],
  ["NaN deep inside", () => ({ a: { b: [{ c: Number.NaN }] } })],
  ["symbol keys", () => ({ [Symbol("k")]: 1 })],
  ["nesting past valueDepthMax", () => nested(100)],
  ["a value over recordBytesMax", () => "x".repeat(17 * 1024 * 1024)],
];

/** Keys that are not valid: set, delete, and inside a batch. */
const BAD_KEYS: ReadonlyArray<[string, unknown]> = [
  ["an empty key", ""],
  ["a key over keyBytesMax", "k".repeat(1025)],
  ["a key over keyBytesMax in UTF-8 bytes", "é".repeat(513)],
  ["a newline", "a\nb"],
  ["a carriage return", "a\rb"],
  ["a NUL", "a\u0000b"],
  ["a tab", "a\tb"],
  ["DEL", "a\u007fb"],
  ["a C1 control", "a\u0085b"],
  ["a lone high surrogate", "a\ud800b"],
  ["a lone low surrogate", "a\udc00"],
  ["a number", 42],
  ["null", null],
  ["undefined", undefined],
  ["an object", { key: "a" }],
  ["a symbol", Symbol("k")],
];

/** Batches that are malformed as a whole. */
const BAD_BATCHES: ReadonlyArray<[string, unknown]> = [
  ["an empty batch", []],
  ["a batch that is not an array", "not an array"],
  ["a batch op that is not an object", [null]],
  ["an unknown op type", [{ type: "upsert", key: "a", value: 1 }]],
  ["a key twice in one batch", [{ type: "set", key: "a", value: 1 }, { type: "delete", key: "a" }]],
  ["a negative ifVersion", [{ type: "set", key: "a", value: 1, ifVersion: -1 }]],
  ["a fractional ifVersion", [{ type: "set", key: "a", value: 1, ifVersion: 1.5 }]],
  ["a string ifVersion", [{ type: "set", key: "a", value: 1, ifVersion: "3" }]],
  ["an ifVersion that does not hold", [{ type: "set", key: "existing/0", value: 1, ifVersion: 999_999 }]],
  ["ifVersion null on a key that exists", [{ type: "delete", key: "existing/0", ifVersion: null }]],
  ["a batch over batchOpsMax", Array.from({ length: 10_001 }, (_, index) => ({ type: "set", key: `b${index}`, value: 1 }))],
];

export const BAD_INPUTS: readonly BadInput[] = [
  ...BAD_VALUES.map(([name, make]): BadInput => ({
    name: `a value that is ${name}`,
    attempts: [(store) => store.set("k", make() as JsonValue), (store) => store.batch([{ type: "set", key: "ok", value: 1 }, { type: "set", key: "k", value: make() as JsonValue }])],
  })),
  ...BAD_KEYS.map(([name, key]): BadInput => ({
    name: `a key that is ${name}`,
    attempts: [(store) => store.set(key as string, 1), (store) => store.delete(key as string), (store) => store.batch([{ type: "set", key: "ok", value: 1 }, { type: "delete", key: key as string }])],
  })),
  ...BAD_BATCHES.map(([name, ops]): BadInput => ({ name, attempts: [(store) => store.batch(ops as BatchOp[])] })),
];
