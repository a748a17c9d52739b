import type { KeyValueStore } from "./types.js";

/**
 * The per-key queues of `update()`: in one process, updates of the same store on the same keys take
 * turns instead of racing. Two updates that both read a key and then write it would otherwise both
 * read the same version, and one of them would lose at the precondition, wait for the winner's
 * commit, and start again (read, compute, write: its first attempt was wasted work). Waiting its
 * turn costs the same wait and none of the waste. Preconditions still guard against every writer
 * this queue does not see: other processes, other `KeyValueStore` objects, `batch()` called directly.
 *
 * Each key is a readers-writer lock with a FIFO of waiters: an exclusive holder excludes everyone,
 * shared holders exclude only exclusive ones, and a waiter is never overtaken by a later arrival on
 * that key (no starvation). An update takes its keys one at a time in sorted order (every update
 * agrees on the order, so no cycle of waiters, hence no deadlock), holding what it has while it waits
 * for the next.
 */

type Mode = "exclusive" | "shared";

interface Waiter {
  readonly mode: Mode;
  readonly grant: () => void;
}

interface KeyLock {
  exclusive: boolean;
  shared: number;
  readonly waiters: Waiter[];
}

/** One table of locks per store object: the queue's scope is that object, in this process. */
const tables = new WeakMap<KeyValueStore, Map<string, KeyLock>>();

/** Gives back every key an update took. Call it exactly once. */
export type Release = () => void;

/**
 * Waits until this update holds every key of `keys` (exclusively, except those in `shared`), in
 * sorted order. Resolves at once, without waiting for a turn of the event loop, when none is held.
 */
export async function acquireKeys(kv: KeyValueStore, keys: readonly string[], shared: ReadonlySet<string>): Promise<Release> {
  let table = tables.get(kv);
  if (table === undefined) {
    table = new Map();
    tables.set(kv, table);
  }
  const sorted = [...keys].sort();
  const held: Array<[string, Mode]> = [];
  const release: Release = () => {
    for (const [key, mode] of held) unlock(table, key, mode);
    held.length = 0;
  };
  for (const key of sorted) {
    const mode: Mode = shared.has(key) ? "shared" : "exclusive";
    const waiting = lock(table, key, mode);
    // Counted as held before the wait ends: a waiter is granted the key by the holder's unlock.
    held.push([key, mode]);
    if (waiting !== undefined) await waiting;
  }
  return release;
}

/** Takes `key` now (undefined) or queues for it (a promise resolved once it is granted). */
function lock(table: Map<string, KeyLock>, key: string, mode: Mode): Promise<void> | undefined {
  let state = table.get(key);
  if (state === undefined) {
    state = { exclusive: false, shared: 0, waiters: [] };
    table.set(key, state);
  }
  if (state.waiters.length === 0 && compatible(state, mode)) {
    take(state, mode);
    return undefined;
  }
  const queue = state.waiters;
  return new Promise((resolve) => queue.push({ mode, grant: resolve }));
}

function unlock(table: Map<string, KeyLock>, key: string, mode: Mode): void {
  const state = table.get(key);
  if (state === undefined) throw new Error(`Bug: update() released ${JSON.stringify(key)}, which it did not hold.`);
  if (mode === "exclusive") state.exclusive = false;
  else state.shared -= 1;
  // Grant from the front, in arrival order, as long as the next waiter fits beside the holders.
  while (state.waiters.length > 0 && compatible(state, state.waiters[0]!.mode)) {
    const next = state.waiters.shift()!;
    take(state, next.mode);
    next.grant();
  }
  if (!state.exclusive && state.shared === 0 && state.waiters.length === 0) table.delete(key);
}

function compatible(state: KeyLock, mode: Mode): boolean {
  return mode === "shared" ? !state.exclusive : !state.exclusive && state.shared === 0;
}

function take(state: KeyLock, mode: Mode): void {
  if (mode === "exclusive") state.exclusive = true;
  else state.shared += 1;
}

/** Keys with a holder or a waiter in this store's table (for tests: an idle table is empty). */
export function queuedKeyCount(kv: KeyValueStore): number {
  return tables.get(kv)?.size ?? 0;
}
