import type { BatchOpRecord } from "./format.js";
import { StoreError, assertJsonValue, assertKey, quote, type JsonValue, type KeyLimits, type ValueLimits } from "@store/fs";

/**
 * One operation of `store.batch`. `ifVersion` is a precondition on the key's version at the moment
 * the batch is submitted: a number means "the key's last write had this seq", `null` means "the key
 * does not exist", absent means no condition.
 */
export type BatchOp =
  | { readonly type: "set"; readonly key: string; readonly value: JsonValue; readonly ifVersion?: number | null | undefined }
  | { readonly type: "delete"; readonly key: string; readonly ifVersion?: number | null | undefined };

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

/** Validates every operation before anything is written; throws on the first bad one, naming its index. */
export function validateBatch(ops: unknown, limits: RequestLimits): ValidatedBatch {
  if (!Array.isArray(ops)) throw new TypeError(`batch() takes an array of operations, got ${typeof ops}.`);
  if (ops.length === 0) throw new TypeError("batch() needs at least one operation.");
  if (ops.length > limits.batchOpsMax) {
    throw new StoreError("STORE_TOO_LARGE", `A batch of ${ops.length} operations is over batchOpsMax (${limits.batchOpsMax}). Split it, or raise batchOpsMax.`);
  }
  const records: BatchOpRecord[] = [];
  const preconditions: Precondition[] = [];
  const seen = new Set<string>();
  for (const [index, op] of (ops as unknown[]).entries()) {
    const record = validateOp(op, index, limits);
    if (seen.has(record.key)) {
      throw new TypeError(`batch() operation ${index} repeats the key ${quote(record.key)}; each key may appear once per batch.`);
    }
    seen.add(record.key);
    records.push(record);
    const ifVersion = (op as { ifVersion?: unknown }).ifVersion;
    if (ifVersion !== undefined) preconditions.push({ key: record.key, ifVersion: validateIfVersion(ifVersion, index) });
  }
  return { ops: records, preconditions };
}

function validateOp(op: unknown, index: number, limits: RequestLimits): BatchOpRecord {
  if (typeof op !== "object" || op === null) throw new TypeError(`batch() operation ${index} is not an object.`);
  const { type, key, value } = op as { type?: unknown; key?: unknown; value?: unknown };
  assertKey(key, limits);
  if (type === "set") {
    assertJsonValue(value, key, limits);
    return { op: "set", key, value };
  }
  if (type === "delete") return { op: "del", key };
  throw new TypeError(`batch() operation ${index} has type ${JSON.stringify(type)}; expected "set" or "delete".`);
}

function validateIfVersion(ifVersion: unknown, index: number): number | null {
  if (ifVersion === null) return null;
  if (Number.isSafeInteger(ifVersion) && (ifVersion as number) >= 0) return ifVersion as number;
  throw new TypeError(`batch() operation ${index} has ifVersion ${JSON.stringify(ifVersion)}; expected a seq number or null.`);
}
