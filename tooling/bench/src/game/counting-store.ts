import type { ChangeListener, Entry, KeyTurn, KeyValueStats, KeyValueStore, ReadInTurnOptions, ScanOptions, SubscribeOptions, Subscription, WriteOp, WriteResult } from "@store/kv";

/**
 * A KeyValueStore that passes every call through and counts the batches refused with
 * STORE_CONFLICT: each is an attempt of a game operation that lost a race and was read, computed
 * and written again. The game-ops table shows them per operation, because they are where much of
 * the time of a contended run goes.
 */
export class ConflictCountingStore implements KeyValueStore {
  readonly #inner: KeyValueStore;
  #conflicts = 0;
  /** The inner store's turns across processes (@store/remote), passed through when it has them, so that update() uses them here too. */
  readonly readInTurn?: (keys: readonly string[], options?: ReadInTurnOptions) => Promise<KeyTurn>;

  constructor(inner: KeyValueStore) {
    this.#inner = inner;
    const readInTurn = inner.readInTurn?.bind(inner);
    if (readInTurn !== undefined) {
      this.readInTurn = async (keys, options) => {
        const turn = await readInTurn(keys, options);
        return { entries: turn.entries, batch: (ops) => this.#counted(turn.batch(ops)), release: () => { turn.release(); } };
      };
    }
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

  batch(ops: readonly WriteOp[]): Promise<WriteResult> {
    return this.#counted(this.#inner.batch(ops));
  }

  async #counted(written: Promise<WriteResult>): Promise<WriteResult> {
    try {
      return await written;
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
