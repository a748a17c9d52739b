import { StoreError } from "./errors.js";

/** What a store can hold: exactly what survives JSON.stringify / JSON.parse unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface ValueLimits {
  /** Deepest nesting of arrays and objects accepted (also bounds recursion). */
  readonly valueDepthMax: number;
}

/** The nesting limit `@store/log` applies unless told otherwise. */
export const VALUE_DEPTH_MAX_DEFAULT = 64;

/**
 * Throws STORE_INVALID_VALUE unless `value` is plain JSON: objects with Object or null prototype,
 * dense arrays, strings, finite numbers, booleans and null. JSON.stringify would silently drop
 * `undefined` and functions, turn NaN into null and Dates into strings: a value that reads back
 * different from what was written is a lost write, so it is refused instead.
 */
export function assertJsonValue(value: unknown, key: string, limits: ValueLimits): asserts value is JsonValue {
  const problem = jsonValueProblem(value, limits);
  if (problem === undefined) return;
  throw new StoreError("STORE_INVALID_VALUE", `The value for key ${quote(key)} is not plain JSON: ${problem}.`, { key });
}

/** Why `value` is not plain JSON (saying where inside it), or undefined when it is. */
export function jsonValueProblem(value: unknown, limits: ValueLimits = { valueDepthMax: VALUE_DEPTH_MAX_DEFAULT }): string | undefined {
  if (isPlainJson(value, limits.valueDepthMax)) return undefined;
  return findProblem(value, "", 0, limits.valueDepthMax, new Set()) ?? "it holds something JSON cannot";
}

/**
 * The fast check, run on every write: no allocation, no messages. Depth bounds the recursion, so a
 * cycle fails it too; `findProblem` then explains what is wrong.
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
      if (Object.getOwnPropertySymbols(value).length > 0) return false;
      for (const key in value) {
        if (!isPlainJson((value as Record<string, unknown>)[key], depthLeft - 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
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
    case "function":
    case "symbol":
    case "bigint":
      return `${at} is a ${typeof value}`;
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
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (object.constructor as { name?: string } | undefined)?.name ?? "unknown";
    return `${where === "" ? "the value" : where} is a ${name}, not a plain object`;
  }
  if (Object.getOwnPropertySymbols(object).length > 0) return `${where === "" ? "the value" : where} has symbol keys`;
  for (const [name, item] of Object.entries(object)) {
    const problem = findProblem(item, `${where}.${name}`, depth + 1, depthMax, ancestors);
    if (problem !== undefined) return problem;
  }
  return undefined;
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
