import type { Entry, Player } from "./record.js";

/**
 * Who a system is in the comparison: the disk's own limit, our store, the design it replaces, a
 * store users would pick instead, or `@store/game` on another backend or transport of ours, which
 * only the game suite runs ("game").
 */
export type Role = "limit" | "ours" | "old" | "peer" | "game";

/** Every system is driven through this one shape, so every workload treats them alike. */
export interface Adapter {
  open(dir: string): Promise<void>;
  /** Resolves when the write is as durable as the system's `durability` label says. */
  set(key: string, value: Player): Promise<void>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
  /** fdatasync/fsync calls issued so far, when the adapter can count its own. */
  flushes?(): number;
  /** Loads many records fast (not timed); a system without it is filled through `set`. */
  prefill?(records: Iterable<Entry>): Promise<void>;
  /** Rewrites the data to its live state (our store only). */
  compact?(): Promise<void>;
}

interface SpecBase {
  readonly name: string;
  readonly role: Role;
  /** Stated in the table: what a resolved `set` (or game operation) survives. */
  readonly durability: string;
  /** True when a resolved set survives power loss. */
  readonly durable: boolean;
}

/** A store the write workloads drive through an `Adapter`. */
export interface AdapterSpec extends SpecBase {
  readonly role: Exclude<Role, "game">;
  /** Loads the system's package; rejects when it is not installed. */
  create(): Promise<Adapter>;
}

/** A system only the game suite runs (its `GameSystem` is in `src/game/systems.ts`). */
export interface GameOnlySpec extends SpecBase {
  readonly role: "game";
  /** Resolves when the system can run here; rejects saying why not (a package missing, no server answering). */
  check(): Promise<void>;
}

/** Every system of the benchmark, one row in the systems table. */
export type SystemSpec = AdapterSpec | GameOnlySpec;

export const isAdapterSpec = (spec: SystemSpec): spec is AdapterSpec => spec.role !== "game";

/** Sets every record with `concurrency` sets in flight: how systems without `prefill` are filled. */
export async function fillThroughSets(adapter: Adapter, records: Iterable<Entry>, concurrency = 64): Promise<void> {
  const iterator = records[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
      const [key, value] = next.value;
      await adapter.set(key, value);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function prefill(adapter: Adapter, records: Iterable<Entry>): Promise<void> {
  if (adapter.prefill) await adapter.prefill(records);
  else await fillThroughSets(adapter, records);
}
