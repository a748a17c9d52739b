import { StoreError, deepFreeze, quote, type JsonValue } from "@store/fs";
import { reducePrefixes } from "./change-filter.js";
import { MemorySubscription } from "./memory-subscription.js";
import { SortedKeys } from "./sorted-keys.js";
import type { ChangeEvent, ChangeListener, ChangeOp, Entry, KeyValueStats, KeyValueStore, ScanOptions, SubscribeOptions, Subscription, WriteOp, WriteResult } from "./types.js";
import { show, validateKey, validateKeys, validateScanOptions, validateSubscribe, validateWriteOps, type Precondition } from "./validate.js";

export interface MemoryStoreOptions {
  /**
   * Most committed changes kept for `subscribe({ afterSeq })` to resume from; older ones are
   * dropped and resuming before them rejects with `STORE_HISTORY_GONE`. Default: all of them.
   */
  readonly changeHistoryMax?: number;
}

/**
 * The reference `KeyValueStore`: everything in memory, exact and simple rather than fast, for tests
 * and as the model other backends are compared with. Nothing survives the process.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): KeyValueStore {
  if (typeof options !== "object" || (options as unknown) === null) throw new TypeError(`createMemoryStore() takes an options object, got ${show(options)}.`);
  for (const name of Object.keys(options)) {
    if (name !== "changeHistoryMax") throw new TypeError(`createMemoryStore() has no option ${quote(name)}; the known one is changeHistoryMax.`);
  }
  const { changeHistoryMax = Number.POSITIVE_INFINITY } = options;
  if (changeHistoryMax !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(changeHistoryMax) || changeHistoryMax < 0)) {
    throw new TypeError(`Option changeHistoryMax must be an integer from 0 (or Infinity), got ${show(changeHistoryMax)}.`);
  }
  return new MemoryStore(changeHistoryMax);
}

// Every public method is `async`, so a bad argument or a closed store rejects instead of throwing.
// The bodies never await before they have read or written: a batch is applied, and a read taken,
// at the moment of the call, which is what makes every call "at one point".
class MemoryStore implements KeyValueStore {
  readonly #entries = new Map<string, Entry>();
  readonly #sortedKeys = new SortedKeys();
  readonly #subscriptions = new Set<MemorySubscription>();
  readonly #changeHistoryMax: number;
  /**
   * Committed changes, oldest first, kept from index `#historyStart` on; that one has seq
   * `#historyFirstSeq` and the seqs go up by one.
   */
  #history: ChangeEvent[] = [];
  #historyStart = 0;
  #historyFirstSeq = 1;
  #seq = 0;
  #closing: Promise<void> | undefined;

  constructor(changeHistoryMax: number) {
    this.#changeHistoryMax = changeHistoryMax;
  }

  async get(key: string): Promise<Entry | undefined> {
    this.#assertOpen("get");
    return this.#entries.get(validateKey(key));
  }

  async getMany(keys: readonly string[]): Promise<Array<Entry | undefined>> {
    this.#assertOpen("getMany");
    return validateKeys(keys).map((key) => this.#entries.get(key));
  }

  async scan(options?: ScanOptions): Promise<Entry[]> {
    this.#assertOpen("scan");
    const { prefix, after, limit, reverse } = validateScanOptions(options);
    return this.#sortedKeys.range(prefix, after, limit, reverse).map((key) => this.#entries.get(key)!);
  }

  async batch(ops: readonly WriteOp[]): Promise<WriteResult> {
    this.#assertOpen("batch");
    const { preconditions, writes } = validateWriteOps(ops);
    for (const precondition of preconditions) this.#check(precondition);
    const seq = this.#seq + 1;
    const changes: ChangeOp[] = [];
    for (const write of writes) {
      if (write.type === "set") {
        // A copy made from the JSON text: the caller may change its object after batch() returns.
        const value = deepFreeze(JSON.parse(write.json) as JsonValue);
        if (!this.#entries.has(write.key)) this.#sortedKeys.insert(write.key);
        this.#entries.set(write.key, Object.freeze({ key: write.key, value, version: seq }));
        changes.push(Object.freeze({ type: "set", key: write.key, value }));
      } else {
        if (this.#entries.delete(write.key)) this.#sortedKeys.remove(write.key);
        changes.push(Object.freeze({ type: "delete", key: write.key }));
      }
    }
    this.#seq = seq;
    this.#publish(Object.freeze({ seq, ops: Object.freeze(changes) }));
    return { seq };
  }

  async subscribe(listener: ChangeListener, options?: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen("subscribe");
    const validated = validateSubscribe(listener, options);
    const afterSeq = validated.afterSeq ?? this.#seq;
    if (afterSeq + 1 < this.#historyFirstSeq) {
      throw new StoreError(
        "STORE_HISTORY_GONE",
        `Cannot resume after seq ${afterSeq}: this store keeps changes from seq ${this.#historyFirstSeq} on (changeHistoryMax ${this.#changeHistoryMax}). Read the state again (scan), then subscribe from its seq.`,
      );
    }
    const missed = this.#history.slice(this.#historyStart + Math.max(0, afterSeq + 1 - this.#historyFirstSeq));
    const subscription = new MemorySubscription(validated.listener, afterSeq, reducePrefixes(validated.prefixes), missed, {
      storeSeq: () => this.#seq,
      onEnd: (ended) => this.#subscriptions.delete(ended),
    });
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async stats(): Promise<KeyValueStats> {
    this.#assertOpen("stats");
    return { seq: this.#seq, keys: this.#entries.size };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // Nothing is in flight here (a batch is applied when called), but events of committed writes may
    // still be queued: subscribers get them before close() resolves, then nothing more.
    const subscriptions = [...this.#subscriptions];
    await Promise.all(subscriptions.map((subscription) => subscription.drained()));
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
  }

  #assertOpen(method: string): void {
    if (this.#closing !== undefined) throw new StoreError("STORE_CLOSED", `${method}() was called on a closed store. Open it again.`);
  }

  #check({ key, ifVersion }: Precondition): void {
    const version = this.#entries.get(key)?.version;
    if ((version ?? null) === ifVersion) return;
    const expected = ifVersion === null ? "not to exist" : `at version ${ifVersion}`;
    const found = version === undefined ? "it does not exist" : `it is at version ${version}`;
    throw new StoreError("STORE_CONFLICT", `Key ${quote(key)} was expected ${expected}, but ${found}. Read it again and retry.`, { key });
  }

  #publish(event: ChangeEvent): void {
    this.#history.push(event);
    const kept = this.#history.length - this.#historyStart;
    if (kept > this.#changeHistoryMax) {
      this.#historyStart += kept - this.#changeHistoryMax;
      this.#historyFirstSeq += kept - this.#changeHistoryMax;
      // Drop the forgotten head in chunks: O(1) per write on average instead of a shift each time.
      if (this.#historyStart >= 1024 && this.#historyStart * 2 >= this.#history.length) {
        this.#history = this.#history.slice(this.#historyStart);
        this.#historyStart = 0;
      }
    }
    for (const subscription of this.#subscriptions) subscription.push(event);
  }
}
