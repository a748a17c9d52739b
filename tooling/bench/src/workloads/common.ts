import { isDeepStrictEqual } from "node:util";
import type { Adapter, AdapterSpec } from "../adapter.js";
import type { Player } from "../record.js";

/** Opens a fresh adapter on `dir`, runs `task`, and always closes it. */
export async function withAdapter<T>(spec: AdapterSpec, dir: string, task: (adapter: Adapter) => Promise<T>): Promise<T> {
  const adapter = await spec.create();
  await adapter.open(dir);
  try {
    return await task(adapter);
  } finally {
    await adapter.close();
  }
}

/** A benchmark of a store that does not store is worthless: read back what was written last. */
export async function assertReadsBack(adapter: Adapter, spec: AdapterSpec, key: string, expected: Player): Promise<void> {
  const actual = await adapter.get(key);
  if (!isDeepStrictEqual(stripId(actual), expected)) {
    throw new Error(`${spec.name} returned ${JSON.stringify(actual)} for ${key} after writing ${JSON.stringify(expected)}`);
  }
}

/** nedb adds its `_id` to every document. */
function stripId(value: unknown): unknown {
  if (typeof value !== "object" || value === null || !("_id" in value)) return value;
  const { _id: _ignored, ...rest } = value;
  return rest;
}

export const isLimit = (spec: AdapterSpec): boolean => spec.role === "limit";
export const isOursDurable = (spec: AdapterSpec): boolean => spec.role === "ours" && spec.durable;
