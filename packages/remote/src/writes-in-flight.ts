/**
 * The batches this server handed to its store that have not settled yet, by key written. A `get`
 * or `getMany` of such a key waits for the batch to settle before it reads, so that the read-modify-
 * write that usually follows (`update()` of @store/kv) reads the version its precondition will be
 * checked against, instead of one that batch is about to replace (a conflict, and a whole round of
 * reads and writes again). This is what @store/kv's per-process queue does for one process's own
 * callers, done here for every client of the server: the store itself already makes a precondition
 * on a key with a write in flight wait for it (@store/log), and a read that waits for a commit it
 * overlaps is still linearizable (it is concurrent with that batch).
 */
export class WritesInFlight {
  readonly #byKey = new Map<string, Promise<unknown>>();

  /** Records `settled` as in flight on every key the (unchecked) `ops` write. */
  track(ops: unknown, written: Promise<unknown>): void {
    if (!Array.isArray(ops)) return;
    const settled = written.then(ignore, ignore);
    const keys: string[] = [];
    for (const op of ops as unknown[]) {
      const key = (op as { key?: unknown } | null)?.key;
      const type = (op as { type?: unknown } | null)?.type;
      if (typeof key !== "string" || (type !== "set" && type !== "delete")) continue;
      keys.push(key);
      this.#byKey.set(key, settled);
    }
    if (keys.length === 0) return;
    void settled.then(() => {
      for (const key of keys) if (this.#byKey.get(key) === settled) this.#byKey.delete(key);
    });
  }

  /** A promise that settles once every batch in flight on one of `keys` has, or undefined if none is. */
  settledOn(keys: unknown): Promise<unknown> | undefined {
    if (this.#byKey.size === 0) return undefined;
    if (!Array.isArray(keys)) return undefined;
    let waiting: Array<Promise<unknown>> | undefined;
    for (const key of keys as unknown[]) {
      if (typeof key !== "string") continue;
      const settled = this.#byKey.get(key);
      if (settled !== undefined) (waiting ??= []).push(settled);
    }
    if (waiting === undefined) return undefined;
    return waiting.length === 1 ? waiting[0] : Promise.all(waiting);
  }
}

function ignore(): void {
  // settled either way
}
