import { assertOptionNames, jsonTextOf, StoreError, withLazyValue, type JsonValue } from "@store/fs";
import {
  filterChangeEvent,
  reducePrefixes,
  validateKey,
  validateKeys,
  validateScanOptions,
  validateSubscribe,
  validateWriteOps,
  type ChangeListener,
  type Entry,
  type KeyValueStore,
  type ScanOptions,
  type SubscribeOptions,
  type Subscription,
  type WriteOp,
  type WriteResult,
} from "@store/kv";
import { submitCheckedBatch, type Store, type StoreStats } from "./store.js";

export interface KeyValueStoreOptions {
  /**
   * Where `subscribe(listener, { afterSeq })` finds changes older than the store's in-memory
   * history (`changeHistoryMax`): `"files"` (the default) replays them from the log files still on
   * disk (live segments and kept backups), so a restarted server's subscribers resume; `"memory"`
   * answers `STORE_HISTORY_GONE` past the in-memory history, never reading the files for it.
   */
  readonly resumeFrom?: "files" | "memory";
}

/**
 * `@store/log` as a `KeyValueStore`: the same store, read and written through the async contract
 * that every backend shares (so `@store/game` runs on it unchanged). It adds no state of its own:
 * reads are the store's synchronous reads, writes its batches; `close()` closes the store.
 * Input is checked by the contract's validators first, so every backend refuses the same things.
 */
export function toKeyValueStore<V>(store: Store<V>, options: KeyValueStoreOptions = {}): KeyValueStore & { stats(): Promise<StoreStats> } {
  assertOptionNames(options, ["resumeFrom"], "toKeyValueStore()", "option");
  // Checked at run time too: callers from plain JavaScript pass anything.
  const resumeFrom: string = options.resumeFrom ?? "files";
  if (resumeFrom !== "files" && resumeFrom !== "memory") throw new TypeError(`toKeyValueStore() takes resumeFrom "files" or "memory", got ${JSON.stringify(resumeFrom)}.`);
  // The contract speaks JsonValue; a Store<V>'s V is only how its caller declared the values, which
  // are plain JSON, checked when written.
  return new LogKeyValueStore(store as unknown as Store, resumeFrom === "files");
}

class LogKeyValueStore implements KeyValueStore {
  readonly #store: Store;
  readonly #resumeFromFiles: boolean;

  constructor(store: Store, resumeFromFiles: boolean) {
    this.#store = store;
    this.#resumeFromFiles = resumeFromFiles;
  }

  async get(key: string): Promise<Entry | undefined> {
    this.#assertOpen();
    const checked = validateKey(key);
    return entryOf(checked, this.#store.getEntry(checked));
  }

  async getMany(keys: readonly string[]): Promise<Array<Entry | undefined>> {
    this.#assertOpen();
    // Synchronous reads of the in-memory state: every key as of the same seq.
    return validateKeys(keys).map((key) => entryOf(key, this.#store.getEntry(key)));
  }

  async scan(options?: ScanOptions): Promise<Entry[]> {
    this.#assertOpen();
    const { prefix, after, limit, reverse } = validateScanOptions(options);
    return this.#store.range({ prefix, limit, reverse, ...(after === undefined ? {} : { after }) });
  }

  async batch(ops: readonly WriteOp[]): Promise<WriteResult> {
    this.#assertOpen();
    return this.#store[submitCheckedBatch](validateWriteOps(ops));
  }

  async subscribe(listener: ChangeListener, options?: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    const checked = validateSubscribe(listener, options);
    const afterSeq = checked.afterSeq ?? this.#store.seq;
    const prefixes = reducePrefixes(checked.prefixes);
    const deliver: ChangeListener =
      prefixes === undefined
        ? checked.listener
        : (event) => {
            const kept = filterChangeEvent(event, prefixes);
            if (kept !== undefined) checked.listener(kept);
          };
    // From the log files when the in-memory history no longer reaches back (a restarted server's shards).
    const unsubscribe = checked.afterSeq !== undefined && this.#resumeFromFiles ? await this.#store.resume(deliver, { afterSeq }) : this.#store.subscribe(deliver, { afterSeq });
    return new LogSubscription(this.#store, afterSeq, unsubscribe);
  }

  async stats(): Promise<StoreStats> {
    this.#assertOpen();
    return this.#store.stats();
  }

  close(): Promise<void> {
    return this.#store.close();
  }

  #assertOpen(): void {
    // After close every call rejects STORE_CLOSED, before any check of its arguments.
    if (this.#store.closed) throw new StoreError("STORE_CLOSED", `The store at ${this.#store.dir} is closed; open it again.`, { path: this.#store.dir });
  }
}

/**
 * The log calls its listeners as each write is applied, before anything else sees the new seq, and
 * a resumed subscription has replayed what it missed before it is returned: so at any call, every
 * write up to the store's seq has been delivered already.
 */
class LogSubscription implements Subscription {
  readonly afterSeq: number;
  readonly #store: Store;
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(store: Store, afterSeq: number, unsubscribe: () => void) {
    this.afterSeq = afterSeq;
    this.#store = store;
    this.#unsubscribe = unsubscribe;
  }

  async caughtUp(): Promise<number> {
    if (this.#closed || this.#store.closed) {
      throw new StoreError("STORE_CLOSED", `caughtUp() was called on a closed subscription of the store at ${this.#store.dir} (closed by its close() or the store's). Subscribe again.`, {
        path: this.#store.dir,
      });
    }
    return Math.max(this.#store.seq, this.afterSeq);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe();
  }
}

/** The contract's entry for a read; a value not parsed yet stays so, with its text (see Keyspace.getEntry). */
function entryOf(key: string, read: { readonly value: JsonValue; readonly version: number } | undefined): Entry | undefined {
  if (read === undefined) return undefined;
  const text = jsonTextOf(read);
  return text === undefined ? { key, value: read.value, version: read.version } : withLazyValue({ key, version: read.version }, text, () => read.value);
}
