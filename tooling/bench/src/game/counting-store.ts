import type { ChangeListener, Entry, KeyValueStats, KeyValueStore, ScanOptions, SubscribeOptions, Subscription, WriteOp, WriteResult } from "@store/kv";

/**
 * A KeyValueStore that passes every call through and counts the batches refused with
 * STORE_CONFLICT: each is an attempt of a game operation that lost a race and was read, computed
 * and written again. The game-ops table shows them per operation, because they are where much of
 * the time of a contended run goes.
 */
export class ConflictCountingStore implements KeyValueStore {
  readonly #inner: KeyValueStore;
  #conflicts = 0;

  constructor(inner: KeyValueStore) {
    this.#inner = inner;
  }

  get conflicts(): number {
    return this.#conflicts;
  }

  get(key: string): Promise<Entry | undefined> {
    return this.#inner.get(key);
  }

  getMany(keys: readonly string[]): Promise<Array<Entry | undefined>> {
    return this.#inner.getMany(keys);
  }

  scan(options?: ScanOptions): Promise<Entry[]> {
    return this.#inner.scan(options);
  }

  async batch(ops: readonly WriteOp[]): Promise<WriteResult> {
    try {
      return await this.#inner.batch(ops);
    } catch (error) {
      // Told apart by code, as across package boundaries everywhere.
      if (typeof error === "object" && error !== null && "code" in error && error.code === "STORE_CONFLICT") this.#conflicts++;
      throw error;
    }
  }

  subscribe(listener: ChangeListener, options?: SubscribeOptions): Promise<Subscription> {
    return this.#inner.subscribe(listener, options);
  }

  stats(): Promise<KeyValueStats> {
    return this.#inner.stats();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
