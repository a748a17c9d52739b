import { StoreError, assertJsonValue, assertKey, assertOptionNames, keyProblem, quote, show, type JsonValue } from "@store/fs";

// The package's modules import it from here; it lives in @store/fs beside `quote`.
export { show };
import { BATCH_BYTES_MAX, BATCH_OPS_MAX, GET_MANY_KEYS_MAX, KEY_BYTES_MAX, SCAN_LIMIT_DEFAULT, SCAN_LIMIT_MAX, SUBSCRIBE_PREFIXES_MAX, VALUE_DEPTH_MAX } from "./limits.js";
import type { ChangeListener, IfVersion } from "./types.js";

// Every backend calls these before touching anything, so that every backend refuses the same input
// with the same error, and a refused call writes nothing, burns no seq and sends nothing.

const KEY_LIMITS = { keyBytesMax: KEY_BYTES_MAX };
const VALUE_LIMITS = { valueDepthMax: VALUE_DEPTH_MAX };

/** A precondition of a validated batch: `ifVersion` a version, or `null` for "must not exist". */
export interface Precondition {
  readonly key: string;
  readonly ifVersion: IfVersion;
}

/** A set or delete of a validated batch. `json` is the value's JSON text, computed once here. */
export type NormalizedWrite =
  | { readonly type: "set"; readonly key: string; readonly value: JsonValue; readonly json: string }
  | { readonly type: "delete"; readonly key: string };

export interface ValidatedBatch {
  /** Every `ifVersion` of the batch (of sets, deletes and checks), in the batch's order. */
  readonly preconditions: Precondition[];
  /** The sets and deletes, in the batch's order (at least one). */
  readonly writes: NormalizedWrite[];
  /** The batch's size as `BATCH_BYTES_MAX` counts it. */
  readonly bytes: number;
}

export interface ValidatedScan {
  readonly prefix: string;
  readonly after: string | undefined;
  readonly limit: number;
  readonly reverse: boolean;
}

export interface ValidatedSubscribe {
  readonly listener: ChangeListener;
  readonly afterSeq: number | undefined;
  /**
   * The prefixes as given (for a server to pass on), and `undefined` when left out. Filter with
   * `filterChangeEvent(event, reducePrefixes(prefixes))`.
   */
  readonly prefixes: readonly string[] | undefined;
  readonly onError: ((error: StoreError) => void) | undefined;
}

const OP_PROPERTIES = {
  set: ["type", "key", "value", "ifVersion"],
  delete: ["type", "key", "ifVersion"],
  check: ["type", "key", "ifVersion"],
} as const;
const SCAN_PROPERTIES = ["prefix", "after", "limit", "reverse"] as const;
const SUBSCRIBE_PROPERTIES = ["afterSeq", "prefixes", "onError"] as const;

/**
 * Checks a batch completely (shape, keys, values, preconditions, limits) and returns it normalized.
 * Throws a TypeError for misuse, `STORE_INVALID_KEY`, `STORE_INVALID_VALUE` or `STORE_TOO_LARGE`.
 */
export function validateWriteOps(ops: unknown): ValidatedBatch {
  if (!Array.isArray(ops)) throw new TypeError(`batch() takes an array of operations, got ${show(ops)}.`);
  if (ops.length === 0) throw new TypeError("batch() needs at least one set or delete, got an empty array.");
  if (ops.length > BATCH_OPS_MAX) {
    throw new StoreError("STORE_TOO_LARGE", `A batch of ${ops.length} operations is over BATCH_OPS_MAX (${BATCH_OPS_MAX}). Split it into several batches.`);
  }
  const preconditions: Precondition[] = [];
  const writes: NormalizedWrite[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  for (let index = 0; index < ops.length; index += 1) {
    const op: unknown = ops[index];
    const { type, key } = validateOpShape(op, index);
    if (seen.has(key)) throw new TypeError(`batch() operation ${index} repeats the key ${quote(key)}; each key may appear once per batch.`);
    seen.add(key);
    const ifVersion = validateIfVersion(op as Record<string, unknown>, type, index);
    if (ifVersion !== undefined) preconditions.push({ key, ifVersion });
    bytes += Buffer.byteLength(key, "utf8");
    if (type === "set") {
      const value = (op as { value?: unknown }).value;
      assertJsonValue(value, key, VALUE_LIMITS);
      const json = JSON.stringify(value);
      bytes += Buffer.byteLength(json, "utf8");
      writes.push({ type, key, value, json });
    } else if (type === "delete") {
      writes.push({ type, key });
    }
    if (bytes > BATCH_BYTES_MAX) {
      throw new StoreError(
        "STORE_TOO_LARGE",
        `The batch is over BATCH_BYTES_MAX (${BATCH_BYTES_MAX} bytes of keys and JSON values) at operation ${index} (key ${quote(key)}). Split it, or store less per key.`,
        { key },
      );
    }
  }
  if (writes.length === 0) {
    throw new TypeError(`batch() needs at least one set or delete; a batch of only ${ops.length} check operation(s) writes nothing.`);
  }
  return { preconditions, writes, bytes };
}

function validateOpShape(op: unknown, index: number): { type: keyof typeof OP_PROPERTIES; key: string } {
  if (typeof op !== "object" || op === null || Array.isArray(op)) {
    throw new TypeError(`batch() operation ${index} must be an object like { type: "set", key, value }, got ${show(op)}.`);
  }
  const { type, key } = op as { type?: unknown; key?: unknown };
  if (type !== "set" && type !== "delete" && type !== "check") {
    throw new TypeError(`batch() operation ${index} has type ${show(type)}; expected "set", "delete" or "check".`);
  }
  refuseUnknownProperties(op, OP_PROPERTIES[type], `batch() operation ${index} (${type})`);
  assertKey(key, KEY_LIMITS);
  return { type, key };
}

// A present-but-undefined `ifVersion` is what `ifVersion: entry?.version` gives for a missing key:
// read as "no condition", two racing creates would both succeed (issue 9 item 13). So it is refused.
function validateIfVersion(op: Record<string, unknown>, type: string, index: number): IfVersion | undefined {
  if (!("ifVersion" in op)) {
    if (type === "check") throw new TypeError(`batch() operation ${index} (check) needs ifVersion: a version number, or null for "must not exist".`);
    return undefined;
  }
  const ifVersion = op.ifVersion;
  if (ifVersion === null) return null;
  if (ifVersion === undefined) {
    throw new TypeError(
      `batch() operation ${index} has ifVersion: undefined. Write null for "must not exist", a version number for "must be this version", or leave the property out for no condition.`,
    );
  }
  if (typeof ifVersion !== "number" || !Number.isSafeInteger(ifVersion) || ifVersion < 1) {
    throw new TypeError(`batch() operation ${index} has ifVersion ${show(ifVersion)}; expected a version (an integer from 1, a seq) or null for "must not exist".`);
  }
  return ifVersion;
}

/** Checks the keys of a `getMany` (an array of at most `GET_MANY_KEYS_MAX` valid keys; repeats allowed). */
export function validateKeys(keys: unknown): string[] {
  if (!Array.isArray(keys)) throw new TypeError(`getMany() takes an array of keys, got ${show(keys)}.`);
  if (keys.length > GET_MANY_KEYS_MAX) {
    throw new StoreError("STORE_TOO_LARGE", `getMany() was given ${keys.length} keys, over GET_MANY_KEYS_MAX (${GET_MANY_KEYS_MAX}). Read them in several calls.`);
  }
  for (const key of keys as unknown[]) assertKey(key, KEY_LIMITS);
  return keys as string[];
}

/** Checks one key (`get`): a TypeError for a non-string, `STORE_INVALID_KEY` for an invalid string. */
export function validateKey(key: unknown): string {
  assertKey(key, KEY_LIMITS);
  return key;
}

/** Checks `scan` options and fills in the defaults. A property set to `undefined` counts as left out. */
export function validateScanOptions(options: unknown): ValidatedScan {
  if (options === undefined) return { prefix: "", after: undefined, limit: SCAN_LIMIT_DEFAULT, reverse: false };
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`scan() takes an options object { prefix, after, limit, reverse }, got ${show(options)}.`);
  }
  refuseUnknownProperties(options, SCAN_PROPERTIES, "scan() options");
  const { prefix, after, limit, reverse } = options as Record<string, unknown>;
  return {
    prefix: validatePrefix(prefix),
    after: after === undefined ? undefined : validateKey(after),
    limit: validateLimit(limit),
    reverse: validateReverse(reverse),
  };
}

// A prefix is a key's start: the empty string (every key) or a string that could begin a valid key.
// Refusing what no key can hold keeps backends that cannot represent it (UTF-8 text) from disagreeing.
function validatePrefix(prefix: unknown, where = "scan() prefix"): string {
  if (prefix === undefined || prefix === "") return "";
  if (typeof prefix !== "string") throw new TypeError(`${where} must be a string, got ${show(prefix)}.`);
  const problem = keyProblem(prefix, KEY_LIMITS);
  if (problem !== undefined) throw new StoreError("STORE_INVALID_KEY", `Invalid ${where} ${quote(prefix)}: ${problem.replace(/the key/g, "the prefix")}.`, { key: prefix });
  return prefix;
}

/** `subscribe()`'s `prefixes`: 1 to `SUBSCRIBE_PREFIXES_MAX` strings, each a valid key start (`""` is every key). */
function validatePrefixes(prefixes: unknown): readonly string[] | undefined {
  if (prefixes === undefined) return undefined;
  if (!Array.isArray(prefixes)) throw new TypeError(`subscribe() prefixes must be an array of key prefixes, got ${show(prefixes)}.`);
  if (prefixes.length === 0) {
    throw new TypeError('subscribe() prefixes is empty, which would deliver nothing. Leave it out (or pass [""]) for every key.');
  }
  if (prefixes.length > SUBSCRIBE_PREFIXES_MAX) {
    throw new StoreError(
      "STORE_TOO_LARGE",
      `subscribe() was given ${prefixes.length} prefixes, over SUBSCRIBE_PREFIXES_MAX (${SUBSCRIBE_PREFIXES_MAX}). Subscribe with fewer, shorter prefixes (a common start), or with none.`,
    );
  }
  for (let index = 0; index < prefixes.length; index += 1) {
    const prefix: unknown = prefixes[index];
    if (prefix === undefined) throw new TypeError(`subscribe() prefixes[${index}] must be a string, got undefined.`);
    validatePrefix(prefix, `subscribe() prefixes[${index}]`);
  }
  return Object.freeze([...(prefixes as string[])]);
}

function validateLimit(limit: unknown): number {
  if (limit === undefined) return SCAN_LIMIT_DEFAULT;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
    throw new TypeError(`scan() limit must be an integer from 1 to ${SCAN_LIMIT_MAX}, got ${show(limit)}.`);
  }
  if (limit > SCAN_LIMIT_MAX) {
    throw new StoreError("STORE_TOO_LARGE", `scan() limit ${limit} is over SCAN_LIMIT_MAX (${SCAN_LIMIT_MAX}). Page through with \`after\` (or scanAll()).`);
  }
  return limit;
}

function validateReverse(reverse: unknown): boolean {
  if (reverse === undefined) return false;
  if (typeof reverse !== "boolean") throw new TypeError(`scan() reverse must be a boolean, got ${show(reverse)}.`);
  return reverse;
}

/** Checks the arguments of `subscribe`. `afterSeq` undefined means "from now". */
export function validateSubscribe(listener: unknown, options: unknown): ValidatedSubscribe {
  if (typeof listener !== "function") throw new TypeError(`subscribe() takes a listener function, got ${show(listener)}.`);
  if (options === undefined) return { listener: listener as ChangeListener, afterSeq: undefined, prefixes: undefined, onError: undefined };
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`subscribe() takes an options object { afterSeq, prefixes, onError }, got ${show(options)}.`);
  }
  refuseUnknownProperties(options, SUBSCRIBE_PROPERTIES, "subscribe() options");
  const { afterSeq, prefixes, onError } = options as Record<string, unknown>;
  if (afterSeq !== undefined && (typeof afterSeq !== "number" || !Number.isSafeInteger(afterSeq) || afterSeq < 0)) {
    throw new TypeError(`subscribe() afterSeq must be a seq (an integer from 0), got ${show(afterSeq)}.`);
  }
  if (onError !== undefined && typeof onError !== "function") throw new TypeError(`subscribe() onError must be a function, got ${show(onError)}.`);
  const checkedPrefixes = validatePrefixes(prefixes);
  return {
    listener: listener as ChangeListener,
    afterSeq: afterSeq,
    prefixes: checkedPrefixes,
    onError: onError as ((error: StoreError) => void) | undefined,
  };
}

// A misspelled property (`ifversion`, `prefx`) would otherwise be ignored silently; for `ifVersion`
// that drops a precondition.
function refuseUnknownProperties(object: object, known: readonly string[], where: string): void {
  assertOptionNames(object, known, where, "property");
}
