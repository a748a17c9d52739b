import { ChangeHistory, type CommittedWrite } from "./change-history.js";
import { Committer, type PendingWrite } from "./committer.js";
import { compact, type CompactionResult, type CompactionState } from "./store-compaction.js";
import { frameJson } from "./format.js";
import { batchJson, batchOpsJson, delJson, setJson } from "./record-layout.js";
import { StoreError, assertJsonValue, assertKey, ioError, lazySetOp, type Clock, type DirectoryLock, type JsonCompatible, type JsonValue } from "@store/fs";
import { BATCH_OPS_MAX, KEY_BYTES_MAX, VALUE_DEPTH_MAX, type ChangeEvent, type ChangeListener, type ChangeOp, type ValidatedBatch } from "@store/kv";
import type { KeyChange, Keyspace } from "./keyspace.js";
import type { ResolvedOptions } from "./options.js";
import type { LiveFiles } from "./live-files.js";
import type { OpenedFolder } from "./open-folder.js";
import { replayFromLog } from "./log-resume.js";
import type { RecoveryReport } from "./recovery.js";
import { assertBatchOpsWithin, validateBatch, validateWriteOptions, type BatchOp, type Precondition, type WriteOptions } from "./write-request.js";

export type { ChangeEvent, ChangeListener, ChangeOp };

export interface SubscribeOptions {
  /**
   * Replay the kept writes with a seq above this one before `subscribe` returns (resume after the
   * last event seen). STORE_HISTORY_GONE if some of them are no longer kept (`changeHistoryMax`).
   */
  readonly afterSeq?: number;
}

/** A page of `range()`: keys in order, each with its value and version. */
export interface RangeEntry<V = JsonValue> {
  readonly key: string;
  readonly value: V;
  readonly version: number;
}

export interface RangeOptions {
  /** Only keys starting with this. Default "". */
  readonly prefix?: string;
  /** Start strictly after this key, in the walk's direction. */
  readonly after?: string;
  /** Most entries returned. Default: all. */
  readonly limit?: number;
  /** Descending key order. */
  readonly reverse?: boolean;
}

export interface WriteResult {
  /** The write's seq, which is also the new version of every key it wrote. */
  readonly seq: number;
}

export interface StoreStats {
  /** Seq of the last acknowledged write. */
  readonly seq: number;
  readonly keys: number;
  /** Estimated bytes the live keys would take in a freshly compacted base. */
  readonly liveBytes: number;
  /** Bytes in the data folder's live files (base and segments). */
  readonly totalBytes: number;
  /** Live segment files, the active one included. */
  readonly segments: number;
  /** fdatasync calls on the log since open. */
  readonly flushes: number;
  /** Writes waiting for the next group commit. */
  readonly queuedWrites: number;
  readonly lastCompactionAtMs: number | null;
  readonly lastCompactionError: string | null;
  readonly failed: boolean;
  readonly readOnly: boolean;
}

/** The key of the Store factory `openStore` calls; module-private to the package. */
export const fromOpenedFolder = Symbol("fromOpenedFolder");

/** The key of the Store method the kv adapter writes through; module-private to the package. */
export const submitCheckedBatch = Symbol("submitCheckedBatch");

/**
 * A JSON key-value store whose single source of truth is an append-only log in `dir`.
 * Reads come from memory and see acknowledged writes; a write resolves once its record is durable.
 * Open it with `openStore`.
 *
 * `V` is the type of the values (`openStore<Player>(dir)`): any type whose values can be plain JSON,
 * ordinary interfaces included. It is the caller's declaration, not a check: every value written is
 * still checked as plain JSON at run time, and values read are what was written (deep-frozen). The
 * default, `JsonValue`, is a store of mixed values; its `set` and `batch` take any `JsonCompatible`
 * value, so an interface can be written without a cast.
 */
export class Store<V = JsonValue> {
  readonly dir: string;
  readonly recovery: RecoveryReport;
  readonly #options: ResolvedOptions;
  readonly #keyspace: Keyspace;
  readonly #committer: Committer | undefined;
  readonly #lock: DirectoryLock | undefined;
  readonly #listeners = new Set<ChangeListener>();
  /** Per key, the newest write submitted but not yet answered: preconditions on the key wait for it. */
  readonly #inFlight = new Map<string, { readonly seq: number; readonly settled: Promise<unknown> }>();
  readonly #history: ChangeHistory;
  /** Settles when the newest submitted write has been answered, either way. */
  #lastSubmitted: Promise<unknown> = Promise.resolve();
  readonly #compactionState: CompactionState = { running: undefined, lastAtMs: null, lastError: null };
  readonly #liveFiles: LiveFiles;
  #nextSeq: number;
  #closing: Promise<void> | undefined;

  /** Not public: `openStore` is the one way to open a store. */
  private constructor(dir: string, options: ResolvedOptions, opened: OpenedFolder) {
    this.dir = dir;
    this.#options = options;
    this.#keyspace = opened.keyspace;
    this.recovery = opened.report;
    this.#lock = opened.lock;
    this.#nextSeq = opened.keyspace.seq + 1;
    this.#history = new ChangeHistory(opened.keyspace.seq, options.changeHistoryMax, CHANGE_HISTORY_BYTES_MAX);
    this.#liveFiles = opened.liveFiles;
    this.#committer =
      opened.segment === undefined
        ? undefined
        : new Committer(options.fs, dir, opened.segment, opened.liveFiles, opened.highestFileNumber, options, {
            onCommitted: (group) => {
              this.#applyCommitted(group);
            },
            onAbandoned: () => {
              this.#forgetPending();
            },
            committedSeq: () => this.#keyspace.seq,
          });
  }

  /** The store on a folder `openFolder` opened; only `openStore` calls it (the key is not exported from the package). */
  static [fromOpenedFolder]<V>(dir: string, options: ResolvedOptions, opened: OpenedFolder): Store<V> {
    return new Store<V>(dir, options, opened);
  }

  /** Whether `close()` was called: every read and write then fails with STORE_CLOSED. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Seq of the last acknowledged write (0 for a new store). */
  get seq(): number {
    return this.#keyspace.seq;
  }

  get(key: string): V | undefined {
    return this.#readable().get(assertReadKey(key)) as V | undefined;
  }

  /** The value and its version, read together (what a conditional write should be based on). */
  getEntry(key: string): { readonly value: V; readonly version: number } | undefined {
    return this.#readable().getEntry(assertReadKey(key)) as { readonly value: V; readonly version: number } | undefined;
  }

  has(key: string): boolean {
    return this.#readable().version(assertReadKey(key)) !== undefined;
  }

  /** The seq of the key's last acknowledged write, or undefined if the key does not exist. */
  version(key: string): number | undefined {
    return this.#readable().version(assertReadKey(key));
  }

  /** Keys starting with `prefix` and their values, sorted by key (UTF-16 code unit order). */
  scan(prefix = ""): IterableIterator<[string, V]> {
    if (typeof prefix !== "string") throw new TypeError(`scan() takes a string prefix, got ${typeof prefix}.`);
    return this.#readable().scan(prefix)[Symbol.iterator]() as IterableIterator<[string, V]>;
  }

  /** One page of keys in order with values and versions: O(log n + limit), nothing else copied. */
  range(options: RangeOptions = {}): RangeEntry<V>[] {
    const { prefix = "", after, limit = Number.MAX_SAFE_INTEGER, reverse = false } = options;
    if (typeof prefix !== "string") throw new TypeError(`range() takes a string prefix, got ${typeof prefix}.`);
    if (after !== undefined && typeof after !== "string") throw new TypeError(`range() takes a string after, got ${typeof after}.`);
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`range() takes a positive integer limit, got ${JSON.stringify(limit)}.`);
    return this.#readable().range(prefix, after, limit, reverse) as RangeEntry<V>[];
  }

  /** Sets `key`; resolves once durable. `ifVersion` makes it conditional, as in `batch`. */
  set(key: string, value: V, options?: WriteOptions): Promise<WriteResult>;
  /** On a store of mixed values (`Store<JsonValue>`, the default): any `JsonCompatible` value, interfaces included. */
  set<T extends JsonCompatible<T>>(key: string, value: JsonValue extends V ? T : never, options?: WriteOptions): Promise<WriteResult>;
  set(key: string, value: unknown, options?: WriteOptions): Promise<WriteResult> {
    return this.#write(() => {
      assertKey(key, this.#options);
      assertJsonValue(value, key, this.#options);
      const preconditions = validateWriteOptions(key, options, "set");
      const json = JSON.stringify(value);
      return {
        changes: [{ key, json, deleted: false }],
        recordJson: (seq) => setJson(seq, key, json, this.#options.clock.now()),
        preconditions,
      };
    });
  }

  /** Deletes `key` (a tombstone record); resolves once durable, whether or not the key existed (unless `ifVersion` says). */
  delete(key: string, options?: WriteOptions): Promise<WriteResult> {
    return this.#write(() => {
      assertKey(key, this.#options);
      const preconditions = validateWriteOptions(key, options, "delete");
      return {
        changes: [{ key, deleted: true }],
        recordJson: (seq) => delJson(seq, key, this.#options.clock.now()),
        preconditions,
      };
    });
  }

  /**
   * Applies all operations or none, as one record. Preconditions (`ifVersion`) are checked against
   * every write submitted before this one; a failed one rejects with STORE_CONFLICT and writes nothing.
   */
  batch(ops: readonly BatchOp<V>[]): Promise<WriteResult>;
  /** On a store of mixed values: operations whose values are each of any `JsonCompatible` type. */
  batch<const Ops extends readonly BatchOp<unknown>[]>(ops: JsonValue extends V ? Ops & JsonCompatibleOps<Ops> : never): Promise<WriteResult>;
  batch(ops: readonly BatchOp<unknown>[]): Promise<WriteResult> {
    return this.#write(() => {
      const batch = validateBatch(ops, this.#options);
      const changes = batch.ops.map((op): KeyChange => (op.op === "set" ? { key: op.key, json: JSON.stringify(op.value), deleted: false } : { key: op.key, deleted: true }));
      return batchWrite(changes, batch.preconditions, this.#options.clock);
    });
  }

  /**
   * A batch the `@store/kv` validators already checked (the `toKeyValueStore` adapter), so values are
   * not walked and serialized a second time. Only this store's own limits, where they are tighter
   * than the contract's, are checked again. Not exported from the package.
   */
  [submitCheckedBatch](batch: ValidatedBatch): Promise<WriteResult> {
    return this.#write(() => {
      assertWithinOwnLimits(batch, this.#options);
      const changes = batch.writes.map((write): KeyChange => (write.type === "set" ? { key: write.key, json: write.json, deleted: false } : { key: write.key, deleted: true }));
      return batchWrite(changes, batch.preconditions, this.#options.clock);
    });
  }

  /**
   * Calls `listener` after each durable write, in seq order, with the store's state as of that write
   * (`get()` inside the listener sees exactly the writes up to its seq). With `afterSeq`, the kept
   * writes after it are replayed before this returns. Returns the function that unsubscribes.
   */
  subscribe(listener: ChangeListener<V>, options: SubscribeOptions = {}): () => void {
    if (typeof listener !== "function") throw new TypeError("subscribe() takes a function.");
    this.#readable();
    const { afterSeq } = options;
    if (afterSeq !== undefined) {
      if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new TypeError(`subscribe() takes a seq number as afterSeq, got ${JSON.stringify(afterSeq)}.`);
      for (const write of this.#missedSince(afterSeq)) deliver(listener, toChangeEvent(write));
    }
    // Events carry the checked JSON the store holds; V is how the caller declared its values.
    const untyped = listener as ChangeListener;
    this.#listeners.add(untyped);
    return () => this.#listeners.delete(untyped);
  }

  /**
   * `subscribe` with `afterSeq`, for a subscriber resuming from further back than the in-memory
   * history reaches (after a reopen it holds nothing older than the open): the writes after
   * `afterSeq` are replayed from the log files still on disk (the live segments, and retired ones
   * `backups/` keeps), in seq order, then live ones follow without a gap or a repeat. Resolves with
   * the function that unsubscribes. STORE_HISTORY_GONE only if the files no longer hold them either.
   */
  async resume(listener: ChangeListener<V>, options: { readonly afterSeq: number }): Promise<() => void> {
    if (typeof listener !== "function") throw new TypeError("resume() takes a function.");
    this.#readable();
    const { afterSeq } = options;
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new TypeError(`resume() takes a seq number as afterSeq, got ${JSON.stringify(afterSeq)}.`);
    const seq = this.#keyspace.seq;
    if (afterSeq >= seq || this.#history.since(afterSeq) !== undefined) return this.subscribe(listener, { afterSeq });
    const untyped = listener as ChangeListener;
    // Live writes from now on wait in `held` while the files are read: every write up to `seq` is in them.
    let held: ChangeEvent[] | undefined = [];
    const relay: ChangeListener = (event) => {
      if (held === undefined) deliver(untyped, event);
      else held.push(event);
    };
    this.#listeners.add(relay);
    try {
      await replayFromLog(this.dir, this.#options.fs, afterSeq, seq, (event) => {
        deliver(untyped, event);
      });
    } catch (error) {
      this.#listeners.delete(relay);
      throw error;
    }
    for (const event of held) deliver(untyped, event);
    held = undefined;
    return () => this.#listeners.delete(relay);
  }

  #missedSince(afterSeq: number): CommittedWrite[] {
    const seq = this.#keyspace.seq;
    if (afterSeq > seq) {
      throw new StoreError(
        "STORE_HISTORY_GONE",
        `Cannot resume after seq ${afterSeq}: the store at ${this.dir} is at seq ${seq}, so writes the subscriber saw are not in the log ` +
          `(acknowledged with sync "interval" or "none" and lost to a power cut, or another folder). Read the state again.`,
        { path: this.dir },
      );
    }
    const missed = this.#history.since(afterSeq);
    if (missed !== undefined) return missed;
    throw new StoreError(
      "STORE_HISTORY_GONE",
      `Cannot resume after seq ${afterSeq}: the store at ${this.dir} keeps the writes after seq ${this.#history.startSeq} only ` +
        `(changeHistoryMax ${this.#options.changeHistoryMax}, reopened since, or ${CHANGE_HISTORY_BYTES_MAX} bytes of history). Read the state again, then subscribe.`,
      { path: this.dir },
    );
  }

  /** Waits for every write submitted so far and makes it durable (fdatasync), whatever the sync mode. */
  async checkpoint(): Promise<WriteResult> {
    const committer = this.#writable();
    // Only the writes submitted before this call: waiting for an empty queue would never end while
    // writers keep writing (a mirror checkpoints before every view under just that load).
    const lastSubmittedSeq = this.#nextSeq - 1;
    await this.#lastSubmitted;
    await committer.sync();
    if (committer.failure !== undefined) throw committer.failure;
    // Everything up to lastSubmittedSeq is answered and fdatasync'ed; later writes may not be yet.
    return { seq: Math.min(lastSubmittedSeq, this.#keyspace.seq) };
  }

  /**
   * Writes the live keys into a new base file and retires the old base and segments to `backups/`.
   * Writers keep going meanwhile. A second call while one runs joins it.
   */
  compact(): Promise<CompactionResult> {
    let committer: Committer;
    try {
      committer = this.#writable();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const state = this.#compactionState;
    state.running ??= compact({ fs: this.#options.fs, dir: this.dir, keyspace: this.#keyspace, committer, liveFiles: this.#liveFiles, state, backupsMax: this.#options.backupsMax, clock: this.#options.clock }).finally(() => {
      state.running = undefined;
    });
    return state.running;
  }

  stats(): StoreStats {
    const committer = this.#committer;
    const state = this.#compactionState;
    return {
      seq: this.#keyspace.seq,
      keys: this.#keyspace.size,
      liveBytes: this.#keyspace.liveBytes,
      totalBytes: this.#liveFiles.bytes + (committer?.segment.size ?? 0),
      segments: this.#liveFiles.sealedCount + (committer === undefined ? 0 : 1),
      flushes: committer?.flushes ?? 0,
      queuedWrites: committer?.queuedWrites ?? 0,
      lastCompactionAtMs: state.lastAtMs,
      lastCompactionError: state.lastError,
      failed: committer?.failure !== undefined,
      readOnly: this.#options.readOnly,
    };
  }

  /** Waits for pending writes and a running compaction, makes everything durable, releases the lock. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.#compactionState.running?.catch(() => undefined);
      await this.#committer?.close();
    } finally {
      await this.#lock?.release().catch((error: unknown) => {
        throw error instanceof StoreError ? error : ioError("Releasing the folder lock", this.dir, error);
      });
    }
  }

  #writable(): Committer {
    if (this.#committer === undefined) {
      throw new StoreError("STORE_READ_ONLY", `The store at ${this.dir} was opened read-only; open it without readOnly to write.`, { path: this.dir });
    }
    if (this.#closing !== undefined) throw new StoreError("STORE_CLOSED", `The store at ${this.dir} is closed; open it again to write.`, { path: this.dir });
    if (this.#committer.failure !== undefined) throw this.#committer.failure;
    return this.#committer;
  }

  #readable(): Keyspace {
    if (this.#closing !== undefined) throw new StoreError("STORE_CLOSED", `The store at ${this.dir} is closed; open it again to read.`, { path: this.dir });
    return this.#keyspace;
  }

  /** Validates and encodes before the first await, so a caller may change its objects right after. */
  #write(prepare: () => PreparedWrite): Promise<WriteResult> {
    try {
      this.#writable();
      return this.#submit(prepare());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * A precondition on a key with a write in flight waits for that write to settle and is then
   * checked against what is durable, which is also what `version()` shows: a caller that gets
   * STORE_CONFLICT and reads again sees the write that beat it, so a retry loop converges instead
   * of spinning against a write it cannot see. Without preconditions in flight, the seq is assigned
   * and the record queued synchronously, so submission order is seq order.
   */
  #submit(request: PreparedWrite): Promise<WriteResult> {
    try {
      const committer = this.#writable();
      const inFlight = this.#inFlightOn(request.preconditions);
      if (inFlight !== undefined) return inFlight.then(() => this.#submit(request));
      for (const condition of request.preconditions) this.#checkPrecondition(condition);
      const seq = this.#nextSeq;
      const line = frameJson(request.recordJson(seq));
      if (line.length > this.#options.recordBytesMax) {
        throw new StoreError("STORE_TOO_LARGE", `The record for seq ${seq} is ${line.length} bytes, over recordBytesMax (${this.#options.recordBytesMax}). Store less per key, or raise recordBytesMax.`, {
          key: request.changes[0]?.key,
        });
      }
      this.#nextSeq += 1;
      const written = new Promise<number>((resolve, reject) => {
        committer.enqueue({ seq, changes: request.changes, line, resolve, reject });
      }).then((committedSeq) => ({ seq: committedSeq }));
      const settled = written.then(ignore, ignore);
      // Groups commit in seq order, so once the newest write has settled, every earlier one has.
      this.#lastSubmitted = settled;
      for (const change of request.changes) this.#inFlight.set(change.key, { seq, settled });
      return written;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #inFlightOn(preconditions: readonly Precondition[]): Promise<unknown> | undefined {
    for (const { key } of preconditions) {
      const inFlight = this.#inFlight.get(key);
      if (inFlight !== undefined) return inFlight.settled;
    }
    return undefined;
  }

  #checkPrecondition({ key, ifVersion }: Precondition): void {
    const current = this.#keyspace.version(key);
    if ((ifVersion === null && current === undefined) || ifVersion === current) return;
    const found = current === undefined ? "it does not exist" : `its version is ${current}`;
    const expected = ifVersion === null ? "not to exist" : `version ${ifVersion}`;
    throw new StoreError("STORE_CONFLICT", `Key ${JSON.stringify(key)} was expected ${expected}, but ${found}. Read it again and retry.`, { key });
  }

  /** Applies and announces each write in turn, so a listener for seq N sees the state at seq N. */
  #applyCommitted(group: readonly PendingWrite[]): void {
    for (const write of group) {
      this.#keyspace.apply(write.seq, write.changes, write.line.length);
      for (const change of write.changes) {
        if (this.#inFlight.get(change.key)?.seq === write.seq) this.#inFlight.delete(change.key);
      }
      const committed: CommittedWrite = { seq: write.seq, changes: write.changes, bytes: write.line.length };
      this.#history.add(committed);
      if (this.#listeners.size > 0) this.#emit(toChangeEvent(committed));
    }
  }

  #forgetPending(): void {
    this.#inFlight.clear();
    this.#nextSeq = this.#keyspace.seq + 1;
  }

  #emit(event: ChangeEvent): void {
    for (const listener of this.#listeners) deliver(listener, event);
  }
}

/**
 * A listener's bug must not undo or stall a durable write, nor stop a replay half way: its error is
 * surfaced like an uncaught one, and the next event is delivered.
 */
function deliver<V>(listener: ChangeListener<V>, event: ChangeEvent): void {
  try {
    listener(event as ChangeEvent<V>);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

function batchWrite(changes: KeyChange[], preconditions: Precondition[], clock: Clock): PreparedWrite {
  const opsJson = batchOpsJson(changes);
  return {
    changes,
    recordJson: (seq) => batchJson(seq, opsJson, clock.now()),
    preconditions,
  };
}

/** The store's own limits where they are tighter than the contract's the batch was checked against. */
function assertWithinOwnLimits(batch: ValidatedBatch, options: ResolvedOptions): void {
  if (options.batchOpsMax < BATCH_OPS_MAX) {
    const written = new Set(batch.writes.map((write) => write.key));
    assertBatchOpsWithin(batch.writes.length + batch.preconditions.filter(({ key }) => !written.has(key)).length, options);
  }
  for (const write of batch.writes) {
    if (options.keyBytesMax < KEY_BYTES_MAX) assertKey(write.key, options);
    if (write.type === "set" && options.valueDepthMax < VALUE_DEPTH_MAX) assertJsonValue(write.value, write.key, options);
  }
}

/** Each set operation's value checked as `JsonCompatible` on its own (a batch may mix value types). */
type JsonCompatibleOps<Ops> = { readonly [I in keyof Ops]: Ops[I] extends { readonly type: "set"; readonly value: infer Value } ? BatchOp<JsonCompatible<Value>> : Ops[I] };

interface PreparedWrite {
  readonly changes: KeyChange[];
  /** The record's JSON text, once its seq is known. */
  readonly recordJson: (seq: number) => string;
  readonly preconditions: Precondition[];
}

/** Bytes of records kept for resuming subscribers, whatever `changeHistoryMax` says: a bound on memory. */
const CHANGE_HISTORY_BYTES_MAX = 16 * 1024 * 1024;

function ignore(): void {}

function toChangeEvent(write: CommittedWrite): ChangeEvent {
  return {
    seq: write.seq,
    // A value is parsed only if a listener reads it; a server relaying the event sends the text.
    ops: write.changes.map((change): ChangeOp => (change.deleted ? { type: "delete", key: change.key } : lazySetOp(change.key, change.json!))),
  };
}

function assertReadKey(key: string): string {
  if (typeof key !== "string") throw new TypeError(`A key must be a string, got ${typeof key}.`);
  return key;
}

