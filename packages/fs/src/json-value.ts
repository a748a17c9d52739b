import { StoreError } from "./errors.js";

/** What a store can hold: exactly what survives JSON.stringify / JSON.parse unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The TypeScript types whose values can be plain JSON, ordinary interfaces included: `V extends
 * JsonCompatible<V>` holds for `interface Player { name: string; tags: string[]; nick?: string }`,
 * which `JsonValue` refuses (an interface has no index signature, TS2345). It fails for a type with
 * a Date, a Map, a function, a bigint or an `undefined` property anywhere inside. It is only a
 * compile-time aid: values are still checked as plain JSON at run time (`assertJsonValue`), since a
 * cast or a class instance can get past any type.
 */
export type JsonCompatible<V> = (null | boolean | number | string | object) & { readonly [K in keyof V]: JsonMember<V[K]> };

/** What a property or an item of a `JsonCompatible` type may be. */
export type JsonMember<T> = T extends JsonValue
  ? T
  : T extends (...args: never[]) => unknown
    ? never
    : T extends readonly unknown[]
      ? { readonly [K in keyof T]: JsonMember<T[K]> }
      : T extends object
        ? { readonly [K in keyof T]: K extends string ? JsonMember<T[K]> : never }
        : never;

export interface ValueLimits {
  /** Deepest nesting of arrays and objects accepted (also bounds recursion). */
  readonly valueDepthMax: number;
}

/** The nesting limit `@store/log` applies unless told otherwise. */
export const VALUE_DEPTH_MAX_DEFAULT = 64;

const DEFAULT_LIMITS: ValueLimits = { valueDepthMax: VALUE_DEPTH_MAX_DEFAULT };

/**
 * Throws STORE_INVALID_VALUE unless `value` is plain JSON: objects with Object or null prototype
 * whose own properties are all enumerable data properties with string keys, dense arrays, strings,
 * finite numbers, booleans and null. JSON.stringify would silently drop `undefined`, functions,
 * symbol keys and non-enumerable properties, turn NaN into null and Dates into strings, and call a
 * getter that may answer differently from when the value was checked: a value that reads back
 * different from what was written is a lost write, so it is refused instead.
 */
export function assertJsonValue(value: unknown, key: string, limits: ValueLimits): asserts value is JsonValue {
  const problem = jsonValueProblem(value, limits);
  if (problem === undefined) return;
  throw new StoreError("STORE_INVALID_VALUE", `The value for key ${quote(key)} is not plain JSON: ${problem}.`, { key });
}

/** Why `value` is not plain JSON (saying where inside it), or undefined when it is. */
export function jsonValueProblem(value: unknown, limits: ValueLimits = DEFAULT_LIMITS): string | undefined {
  if (isPlainJson(value, limits.valueDepthMax)) return undefined;
  return findProblem(value, "", 0, limits.valueDepthMax, new Set()) ?? "it holds something JSON cannot";
}

// Annex B accessors, present in every engine Node runs on: they find an own getter or setter
// without allocating a property descriptor per key (`Object.getOwnPropertyDescriptor` does).
const { __lookupGetter__: lookupGetter, __lookupSetter__: lookupSetter } = Object.prototype as unknown as {
  readonly __lookupGetter__: (this: object, key: string) => unknown;
  readonly __lookupSetter__: (this: object, key: string) => unknown;
};

/**
 * The fast check, run on every write: no messages, no paths, no per-key allocation (two key
 * arrays per object, for symbol keys and hidden properties, are the only ones). Depth bounds the
 * recursion, so a cycle fails it too; `findProblem` then explains what is wrong.
 */
function isPlainJson(value: unknown, depthLeft: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (depthLeft === 0) return false;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index += 1) {
          if (!(index in value) || !isPlainJson(value[index], depthLeft - 1)) return false;
        }
        return true;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      return isPlainObject(value, depthLeft);
    }
    default:
      return false;
  }
}

/**
 * Only enumerable own data properties with string keys: JSON.stringify drops symbol keys and
 * non-enumerable properties without a word, and a getter may answer differently when the value is
 * checked and when it is serialized, so any of them would make the stored value differ from the
 * caller's.
 */
function isPlainObject(object: object, depthLeft: number): boolean {
  if (Object.getOwnPropertySymbols(object).length > 0) return false;
  let dataProperties = 0;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue; // inherited (a polluted prototype): not part of the value
    dataProperties += 1;
    if (lookupGetter.call(object, key) !== undefined || lookupSetter.call(object, key) !== undefined) return false;
    if (!isPlainJson((object as Record<string, unknown>)[key], depthLeft - 1)) return false;
  }
  // Any own string key that `for...in` did not visit is non-enumerable.
  return Object.getOwnPropertyNames(object).length === dataProperties;
}

/** The slow path, only after `isPlainJson` failed: says where and what. */
function findProblem(value: unknown, where: string, depth: number, depthMax: number, ancestors: Set<object>): string | undefined {
  const at = where === "" ? "the value" : where;
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `${at} is ${value} (only finite numbers are JSON)`;
    case "undefined":
      return `${at} is undefined`;
    case "function":
      return `${at} is a function`;
    case "symbol":
      return `${at} is a symbol`;
    case "bigint":
      return `${at} is a BigInt (${value}n); store it as a string or a number`;
    case "object":
      if (value === null) return undefined;
      if (depth >= depthMax) return `${at} is nested deeper than valueDepthMax (${depthMax})`;
      if (ancestors.has(value)) return `${at} refers back to itself (a cycle)`;
      ancestors.add(value);
      try {
        return Array.isArray(value)
          ? findArrayProblem(value, where, depth, depthMax, ancestors)
          : findObjectProblem(value, where, depth, depthMax, ancestors);
      } finally {
        ancestors.delete(value);
      }
  }
}

function findArrayProblem(items: unknown[], where: string, depth: number, depthMax: number, ancestors: Set<object>): string | undefined {
  for (let index = 0; index < items.length; index += 1) {
    if (!(index in items)) return `${where}[${index}] is a hole in a sparse array`;
    const problem = findProblem(items[index], `${where}[${index}]`, depth + 1, depthMax, ancestors);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function findObjectProblem(object: object, where: string, depth: number, depthMax: number, ancestors: Set<object>): string | undefined {
  const at = where === "" ? "the value" : where;
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) return `${at} is ${instanceDescription(object)}, not a plain object`;
  for (const key of Reflect.ownKeys(object)) {
    if (typeof key === "symbol") return `${at} has a symbol key (${key.toString()}), which JSON cannot hold`;
    const property = Object.getOwnPropertyDescriptor(object, key)!;
    const place = `${where}.${key}`;
    if (property.get !== undefined || property.set !== undefined) {
      return `${place} is an accessor property (a getter or setter); store its value as a plain data property`;
    }
    if (property.enumerable !== true) return `${place} is not enumerable, so JSON would drop it; make it enumerable or leave it out`;
    const problem = findProblem(property.value, place, depth + 1, depthMax, ancestors);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** "an instance of Date", without guessing an article for the class name. */
function instanceDescription(object: object): string {
  const constructor: unknown = (object as { constructor?: unknown }).constructor;
  if (typeof constructor !== "function" || constructor === Object || constructor.name === "") {
    return "an object whose prototype is not Object.prototype";
  }
  // Another realm's plain object (vm, a worker's message before cloning) has its own Object.
  if (constructor.name === "Object") return "an object from another realm (its prototype is not this realm's Object.prototype)";
  return `an instance of ${constructor.name}`;
}

/** Freezes a value and everything in it, so a reader cannot change the store's state by accident. */
export function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** Quotes input for an error message, shortened so a huge key cannot flood a log. */
export function quote(text: string, lengthMax = 60): string {
  const json = JSON.stringify(text);
  return json.length <= lengthMax ? json : `${json.slice(0, lengthMax - 4)}..."`;
}

/** Input quoted for a TypeError message, shortened. */
export function show(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return value.toString();
  if (value === undefined) return "undefined";
  if (typeof value === "number") return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length <= 60 ? json : `${json.slice(0, 56)}...`;
  } catch {
    return Array.isArray(value) ? "an array" : "an object";
  }
}
