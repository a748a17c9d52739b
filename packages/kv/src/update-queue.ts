import type { KeyValueStore } from "./types.js";

/**
 * The per-key queues of `update()`: in one process, updates of the same store on the same keys take
 * turns instead of racing. Two updates that both read a key and then write it would otherwise both
 * read the same version, and one of them would lose at the precondition, wait for the winner's
 * commit, and start again (read, compute, write: its first attempt was wasted work). Waiting its
 * turn costs the same wait and none of the waste. Preconditions still guard against every writer
 * this queue does not see: other processes, other `KeyValueStore` objects, `batch()` called directly.
 *
 * Each key has a FIFO of the updates that hold or want it. An update joins the queue of every one
 * of its keys at once, when it is called, and runs once it is at the front of each: first in line,
 * or, for a key it only reads (shared), behind nothing but other readers. So an update waits only
 * for updates called before it (no cycle, hence no deadlock) and is never overtaken on a key by a
 * later one (no starvation).
 *
 * Why all keys at once rather than one at a time in sorted order (the other deadlock-free way): an
 * update then waits for all its keys side by side instead of one after another, holding the first
 * while it waits for the next and so stalling the updates queued behind it. On the game workload
 * of `@store/bench` (64 players, 2 to 4 keys per operation) the 99th percentile of the latency was
 * 40 to 46 ms this way against 60 to 87 ms taking the keys in sorted order, at the same throughput.
 */

interface Ticket {
  /** Keys this update is not yet at the front of. */
  waiting: number;
  wake: (() => void) | undefined;
}

interface Place {
  readonly ticket: Ticket;
  /** Held together with other shared places (a key the update only reads). */
  readonly shared: boolean;
  granted: boolean;
}

/** One key's line, in arrival order (a Set: insertion-ordered, and a place leaves from anywhere in O(1)). */
interface Line {
  readonly places: Set<Place>;
  /** Places in it that write the key: a newcomer that only reads may join the holders while there is none. */
  exclusive: number;
  /** Places not yet granted: with none, a departure lets no one in (no walk along a long line of readers). */
  waiting: number;
}

/** One table per store object: the queue's scope is that object, in this process. */
const tables = new WeakMap<KeyValueStore, Map<string, Line>>();

/** Gives back every key an update holds. Call it exactly once. */
export type Release = () => void;

/**
 * Resolves once this update is at the front of the queue of every key of `keys` (at once when no
 * earlier update holds one). Exported for servers of a store (@store/remote), whose clients' turns
 * join the same lines as the server process's own `update()`s. `keys` must not repeat (a key twice
 * would wait for itself).
 */
export async function acquireKeys(kv: KeyValueStore, keys: readonly string[], shared: ReadonlySet<string>): Promise<Release> {
  let table = tables.get(kv);
  if (table === undefined) {
    table = new Map();
    tables.set(kv, table);
  }
  const ticket: Ticket = { waiting: 0, wake: undefined };
  const places: Array<[string, Place]> = [];
  for (const key of keys) {
    let line = table.get(key);
    if (line === undefined) {
      line = { places: new Set(), exclusive: 0, waiting: 0 };
      table.set(key, line);
    }
    const place: Place = { ticket, shared: shared.has(key), granted: false };
    // Last in line: it may go now if the line is empty, or if it and everyone ahead only read.
    place.granted = line.places.size === 0 || (place.shared && line.exclusive === 0);
    if (!place.granted) {
      ticket.waiting += 1;
      line.waiting += 1;
    }
    if (!place.shared) line.exclusive += 1;
    line.places.add(place);
    places.push([key, place]);
  }
  if (ticket.waiting > 0) await new Promise<void>((resolve) => (ticket.wake = resolve));
  const owned = table;
  return () => {
    for (const [key, place] of places) leave(owned, key, place);
  };
}

/** Takes `place` out of its key's line and lets in whoever is now at the front. */
function leave(table: Map<string, Line>, key: string, place: Place): void {
  const line = table.get(key);
  if (line === undefined || !place.granted || !line.places.delete(place)) throw new Error(`Bug: update() released ${JSON.stringify(key)}, which it did not hold.`);
  if (!place.shared) line.exclusive -= 1;
  if (line.places.size === 0) {
    table.delete(key);
    return;
  }
  if (line.waiting === 0) return;
  // Everyone ahead of a place reached here reads only (an exclusive place stops the walk).
  let first = true;
  for (const next of line.places) {
    if (!next.granted) {
      if (!first && !next.shared) return;
      next.granted = true;
      line.waiting -= 1;
      next.ticket.waiting -= 1;
      if (next.ticket.waiting === 0) next.ticket.wake?.();
    }
    if (!next.shared) return;
    first = false;
  }
}

/** Keys with a holder or a waiter in this store's table (for tests: an idle table is empty). */
export function queuedKeyCount(kv: KeyValueStore): number {
  return tables.get(kv)?.size ?? 0;
}
