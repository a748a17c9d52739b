import { isDeepStrictEqual } from "node:util";
import { isAdapterSpec, type Adapter, type SystemSpec } from "../adapter.js";
import type { Player } from "../record.js";

/** Opens a fresh adapter on `dir`, runs `task`, and always closes it. */
export async function withAdapter<T>(spec: SystemSpec, dir: string, task: (adapter: Adapter) => Promise<T>): Promise<T> {
  // A workload's appliesTo keeps game-only systems away from the write workloads.
  if (!isAdapterSpec(spec)) throw new TypeError(`${spec.name} runs only in the game suite, not through an adapter`);
  const adapter = await spec.create();
  await adapter.open(dir);
  try {
    return await task(adapter);
  } finally {
    await adapter.close();
  }
}

/** A benchmark of a store that does not store is worthless: read back what was written last. */
export async function assertReadsBack(adapter: Adapter, spec: SystemSpec, key: string, expected: Player): Promise<void> {
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

export const isLimit = (spec: SystemSpec): boolean => spec.role === "limit";
export const isOursDurable = (spec: SystemSpec): boolean => spec.role === "ours" && spec.durable;
