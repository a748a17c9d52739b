import type { IfVersion, WriteOp } from "@store/kv";
import type { BatchOpRecord } from "./format.js";
import { StoreError, assertJsonValue, assertKey, quote, show, type JsonValue, type KeyLimits, type ValueLimits } from "@store/fs";

/**
 * One operation of `store.batch`: the contract's `WriteOp`. `ifVersion` is a precondition on the
 * key's version: a number means "the key's last write had this seq", `null` means "the key does not
 * exist", absent means no condition (present but `undefined` is refused: `version()` of a missing key
 * is `undefined`, and passing it must not silently mean "no condition"). A `check` writes nothing.
 */
export type BatchOp<V = JsonValue> = Exclude<WriteOp, { readonly type: "set" }> | { readonly type: "set"; readonly key: string; readonly value: V; readonly ifVersion?: IfVersion };

/** Options of a single `set` or `delete`. */
export interface WriteOptions {
  /**
   * The same precondition as a batch operation's: a seq number requires the key's version to be
   * exactly that, `null` requires the key not to exist; absent means no condition (present but
   * `undefined` is refused). A failed one rejects with STORE_CONFLICT and writes nothing.
   */
  readonly ifVersion?: IfVersion;
}

export interface RequestLimits extends KeyLimits, ValueLimits {
  readonly batchOpsMax: number;
}

export interface Precondition {
  readonly key: string;
  readonly ifVersion: number | null;
}

export interface ValidatedBatch {
  readonly ops: BatchOpRecord[];
  readonly preconditions: Precondition[];
}

/** STORE_TOO_LARGE for a batch of more operations than `batchOpsMax`. */
export function assertBatchOpsWithin(count: number, limits: RequestLimits): void {
  if (count > limits.batchOpsMax) {
    throw new StoreError("STORE_TOO_LARGE", `A batch of ${count} operations is over batchOpsMax (${limits.batchOpsMax}). Split it, or raise batchOpsMax.`);
  }
}

/** Validates every operation before anything is written; throws on the first bad one, naming its index. */
export function validateBatch(ops: unknown, limits: RequestLimits): ValidatedBatch {
  if (!Array.isArray(ops)) throw new TypeError(`batch() takes an array of operations, got ${typeof ops}.`);
  if (ops.length === 0) throw new TypeError("batch() needs at least one operation.");
  assertBatchOpsWithin(ops.length, limits);
  const records: BatchOpRecord[] = [];
  const preconditions: Precondition[] = [];
  const seen = new Set<string>();
  for (const [index, op] of (ops as unknown[]).entries()) {
    const record = validateOp(op, index, limits);
    const key = record === "check" ? (op as { key: string }).key : record.key;
    if (seen.has(key)) {
      throw new TypeError(`batch() operation ${index} repeats the key ${quote(key)}; each key may appear once per batch.`);
    }
    seen.add(key);
    if (record !== "check") records.push(record);
    if (Object.hasOwn(op as object, "ifVersion")) preconditions.push({ key, ifVersion: validateIfVersion((op as { ifVersion?: unknown }).ifVersion, `batch() operation ${index}`) });
    else if (record === "check") throw new TypeError(`batch() operation ${index} is a check without ifVersion; a check needs a seq number or null.`);
  }
  if (records.length === 0) throw new TypeError("batch() needs at least one set or delete; checks alone write nothing.");
  return { ops: records, preconditions };
}

/** A record for a set or a delete; "check" for an operation that only carries a precondition. */
function validateOp(op: unknown, index: number, limits: RequestLimits): BatchOpRecord | "check" {
  if (typeof op !== "object" || op === null) throw new TypeError(`batch() operation ${index} is not an object.`);
  const { type, key, value } = op as { type?: unknown; key?: unknown; value?: unknown };
  assertKey(key, limits);
  if (type === "set") {
    assertJsonValue(value, key, limits);
    return { op: "set", key, value };
  }
  if (type === "delete") return { op: "del", key };
  if (type === "check") return "check";
  throw new TypeError(`batch() operation ${index} has type ${JSON.stringify(type)}; expected "set", "delete" or "check".`);
}

/**
 * The precondition of a single `set(key, value, options)` or `delete(key, options)`, checked as a
 * batch operation's is, so that one write and a batch of one behave the same.
 */
export function validateWriteOptions(key: string, options: unknown, method: "set" | "delete"): Precondition[] {
  if (options === undefined) return [];
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${method}() takes an options object ({ ifVersion }) as its last argument, got ${show(options)}.`);
  }
  for (const name of Object.keys(options)) {
    if (name !== "ifVersion") throw new TypeError(`${method}() has no option ${quote(name)}; its only option is ifVersion.`);
  }
  if (!Object.hasOwn(options, "ifVersion")) return [];
  return [{ key, ifVersion: validateIfVersion((options as { ifVersion?: unknown }).ifVersion, `${method}()`) }];
}

function validateIfVersion(ifVersion: unknown, where: string): number | null {
  if (ifVersion === null) return null;
  if (ifVersion === undefined) {
    throw new TypeError(
      `${where} has ifVersion undefined. Leave ifVersion out for no condition, or write null for "must not exist" ` +
        `(version() of a missing key is undefined: use \`store.version(key) ?? null\`).`,
    );
  }
  // Seqs start at 1, so no key is ever at version 0: refused as the contract's validators refuse it (@store/kv).
  if (Number.isSafeInteger(ifVersion) && (ifVersion as number) >= 1) return ifVersion as number;
  throw new TypeError(`${where} has ifVersion ${JSON.stringify(ifVersion)}; expected a seq number or null.`);
}
