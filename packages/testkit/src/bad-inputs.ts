import type { JsonValue } from "@store/fs";

/**
 * The one catalogue of bad input (invariant 6 of the reliability brief): every invalid value, key
 * and batch a store must refuse before anything touches the disk. The log's tests and the torture
 * suite both run it, so a case added here is proven by both; a catalogue kept twice drifted.
 */

/** The store methods the catalogue calls (any `@store/log` Store has them). */
export interface BadInputTarget {
  set(key: string, value: JsonValue, options?: never): Promise<unknown>;
  delete(key: string, options?: never): Promise<unknown>;
  batch(ops: never[]): Promise<unknown>;
}

/** How a refusal must look: a StoreError `code`, or a TypeError (argument misuse). */
export type BadInputRefusal = "TypeError" | "STORE_INVALID_VALUE" | "STORE_INVALID_KEY" | "STORE_TOO_LARGE" | "STORE_CONFLICT";

export interface BadInputAttempt {
  /** Which call hands the input over: "set", "delete", or "batch" (a good op before the bad one, when there is one). */
  readonly via: "set" | "delete" | "batch";
  readonly run: (store: BadInputTarget) => Promise<unknown>;
}

/** One kind of bad input, the ways to hand it to a store, and the refusal each must meet. */
export interface BadInput {
  readonly name: string;
  readonly refusedWith: BadInputRefusal;
  readonly attempts: readonly BadInputAttempt[];
}

/** Keys the catalogue relies on existing before it runs (an `ifVersion` that does not hold needs one). */
export const BAD_INPUT_EXISTING_KEY = "existing/0";

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

function sparse(): unknown[] {
  const array: unknown[] = [];
  array[2] = 1;
  return array;
}

/** Values that are not plain JSON, or too big; each made fresh per attempt. */
const BAD_VALUES: ReadonlyArray<readonly [string, () => unknown, BadInputRefusal?]> = [
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
  ["a sparse array", sparse],
  ["undefined inside an object", () => ({ a: undefined })],
  ["a function inside an array", () => [1, () => 2]],
  ["NaN deep inside", () => ({ a: { b: [{ c: Number.NaN }] } })],
  ["symbol keys", () => ({ [Symbol("k")]: 1 })],
  ["nesting past valueDepthMax", () => nested(100)],
  ["a value over recordBytesMax", () => "x".repeat(17 * 1024 * 1024), "STORE_TOO_LARGE"],
];

/** Keys that are not valid: text breaking the key rules, and things that are not strings at all. */
const BAD_KEYS: ReadonlyArray<readonly [string, unknown, BadInputRefusal]> = [
  ["an empty key", "", "STORE_INVALID_KEY"],
  ["a key over keyBytesMax", "k".repeat(1025), "STORE_INVALID_KEY"],
  ["a key over keyBytesMax in UTF-8 bytes", "é".repeat(513), "STORE_INVALID_KEY"],
  ["a newline", "a\nb", "STORE_INVALID_KEY"],
  ["a carriage return", "a\rb", "STORE_INVALID_KEY"],
  ["a NUL", "a\u0000b", "STORE_INVALID_KEY"],
  ["a tab", "a\tb", "STORE_INVALID_KEY"],
  ["DEL", "a\u007fb", "STORE_INVALID_KEY"],
  ["a C1 control", "a\u0085b", "STORE_INVALID_KEY"],
  ["a lone high surrogate", "a\ud800b", "STORE_INVALID_KEY"],
  ["a lone low surrogate", "a\udc00", "STORE_INVALID_KEY"],
  ["a number", 42, "TypeError"],
  ["null", null, "TypeError"],
  ["undefined", undefined, "TypeError"],
  ["an object", { key: "a" }, "TypeError"],
  ["a symbol", Symbol("k"), "TypeError"],
];

/** Batches that are malformed as a whole, or whose precondition does not hold. */
const BAD_BATCHES: ReadonlyArray<readonly [string, () => unknown, BadInputRefusal]> = [
  ["an empty batch", () => [], "TypeError"],
  ["a batch that is not an array", () => "not an array", "TypeError"],
  ["a batch op that is not an object", () => [null], "TypeError"],
  ["an unknown op type", () => [{ type: "upsert", key: "a", value: 1 }], "TypeError"],
  ["a key twice in one batch", () => [{ type: "set", key: "a", value: 1 }, { type: "delete", key: "a" }], "TypeError"],
  ["a negative ifVersion", () => [{ type: "set", key: "a", value: 1, ifVersion: -1 }], "TypeError"],
  ["a fractional ifVersion", () => [{ type: "set", key: "a", value: 1, ifVersion: 1.5 }], "TypeError"],
  ["a string ifVersion", () => [{ type: "set", key: "a", value: 1, ifVersion: "3" }], "TypeError"],
  ["ifVersion 0 (no key is ever at version 0)", () => [{ type: "set", key: "a", value: 1, ifVersion: 0 }], "TypeError"],
  ["an ifVersion that does not hold", () => [{ type: "set", key: BAD_INPUT_EXISTING_KEY, value: 1, ifVersion: 999_999 }], "STORE_CONFLICT"],
  ["ifVersion null on a key that exists", () => [{ type: "delete", key: BAD_INPUT_EXISTING_KEY, ifVersion: null }], "STORE_CONFLICT"],
  ["a batch over batchOpsMax", () => Array.from({ length: 10_001 }, (_, index) => ({ type: "set", key: `b${index}`, value: 1 })), "STORE_TOO_LARGE"],
];

/** Options of a single `set(key, value, options)` or `delete(key, options)`, on a key that exists. */
const BAD_WRITE_OPTIONS: ReadonlyArray<readonly [string, unknown, BadInputRefusal]> = [
  ["ifVersion 0", { ifVersion: 0 }, "TypeError"],
  ["a negative ifVersion", { ifVersion: -1 }, "TypeError"],
  ["ifVersion undefined", { ifVersion: undefined }, "TypeError"],
  ["an unknown option", { ifVersio: 1 }, "TypeError"],
  ["not an object", "fast", "TypeError"],
  ["an ifVersion that does not hold", { ifVersion: 999_999 }, "STORE_CONFLICT"],
  ["ifVersion null on a key that exists", { ifVersion: null }, "STORE_CONFLICT"],
];

// The catalogue hands over what the types forbid: that is the point of it.
const anyValue = (value: unknown): JsonValue => value as JsonValue;
const anyKey = (key: unknown): string => key as string;
const anyOps = (ops: unknown): never[] => ops as never[];
const anyOptions = (options: unknown): never => options as never;

export const BAD_INPUTS: readonly BadInput[] = [
  ...BAD_VALUES.map(([name, make, refusal]): BadInput => ({
    name: `a value that is ${name}`,
    refusedWith: refusal ?? "STORE_INVALID_VALUE",
    attempts: [
      { via: "set", run: (store) => store.set("k", anyValue(make())) },
      { via: "batch", run: (store) => store.batch(anyOps([{ type: "set", key: "ok", value: 1 }, { type: "set", key: "k", value: make() }])) },
    ],
  })),
  ...BAD_KEYS.map(([name, key, refusal]): BadInput => ({
    name: `a key that is ${name}`,
    refusedWith: refusal,
    attempts: [
      { via: "set", run: (store) => store.set(anyKey(key), 1) },
      { via: "delete", run: (store) => store.delete(anyKey(key)) },
      { via: "batch", run: (store) => store.batch(anyOps([{ type: "set", key: "ok", value: 1 }, { type: "delete", key }])) },
    ],
  })),
  ...BAD_BATCHES.map(([name, ops, refusal]): BadInput => ({ name, refusedWith: refusal, attempts: [{ via: "batch", run: (store) => store.batch(anyOps(ops())) }] })),
  ...BAD_WRITE_OPTIONS.map(([name, options, refusal]): BadInput => ({
    name: `write options with ${name}`,
    refusedWith: refusal,
    attempts: [
      { via: "set", run: (store) => store.set(BAD_INPUT_EXISTING_KEY, 1, anyOptions(options)) },
      { via: "delete", run: (store) => store.delete(BAD_INPUT_EXISTING_KEY, anyOptions(options)) },
    ],
  })),
];

/** What `error` is, in the catalogue's terms: "TypeError", a StoreError's code, or undefined for anything else. */
export function refusalOf(error: unknown): string | undefined {
  if (error instanceof TypeError) return "TypeError";
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}
