import type { ChangeEvent, ChangeListener, ChangeOp, JsonValue, StoreError } from "@store/fs";

/** A live key as read: its value and its version (the seq of the write that last set it). */
export interface Entry {
  readonly key: string;
  readonly value: JsonValue;
  readonly version: number;
}

/**
 * A precondition on a key, checked when the batch is applied, atomically with it:
 * a number (a version, so an integer from 1) requires the key's version to be exactly that, `null`
 * requires the key not to exist.
 * Leaving `ifVersion` out means no condition; writing `ifVersion: undefined` is refused (a missing
 * key's version is `undefined`, and "no condition" must never happen by accident).
 */
export type IfVersion = number | null;

export type WriteOp =
  | { readonly type: "set"; readonly key: string; readonly value: JsonValue; readonly ifVersion?: IfVersion }
  | { readonly type: "delete"; readonly key: string; readonly ifVersion?: IfVersion }
  /** Writes nothing: only the precondition, for a key the batch read but does not change. */
  | { readonly type: "check"; readonly key: string; readonly ifVersion: IfVersion };

export interface WriteResult {
  /** The batch's seq, which is also the new version of every key it set. */
  readonly seq: number;
}

export interface ScanOptions {
  /** Only keys starting with this. Default: every key. */
  readonly prefix?: string;
  /**
   * Start strictly after this key, in the scan's direction (a page's last key continues the scan).
   * Default: the first key of the prefix in that direction.
   */
  readonly after?: string;
  /** Most entries returned, 1 to `SCAN_LIMIT_MAX`. Default `SCAN_LIMIT_DEFAULT`. */
  readonly limit?: number;
  /** Descending key order. Default false. */
  readonly reverse?: boolean;
}

/** The change event shape is declared once, in @store/fs, and shared by every package. */
export type { ChangeEvent, ChangeListener, ChangeOp };

export interface SubscribeOptions {
  /**
   * Deliver every change with a seq above this one (resume after the last event seen). The backend
   * rejects with `STORE_HISTORY_GONE` if it no longer keeps all of them. Default: changes committed
   * after the subscription is made.
   */
  readonly afterSeq?: number;
  /**
   * Deliver only the ops whose key starts with one of these (1 to `SUBSCRIBE_PREFIXES_MAX` of
   * them, each a valid key start; `""` is every key). An event none of whose ops match is not
   * delivered at all; one that matches in part is delivered with its matching ops only, in their
   * batch order, each once however many prefixes match it, with its batch's seq. Default: every op.
   * Use `caughtUp()` to know how far a filtered stream got: its seqs no longer say.
   */
  readonly prefixes?: readonly string[];
  /**
   * Called once if the subscription ends by an error (history gone, connection lost); no event
   * follows it. Without it, such an error is rethrown asynchronously.
   */
  readonly onError?: (error: StoreError) => void;
}

export interface Subscription {
  /** Events with a seq above this one are delivered, all of them, in order, each once. */
  readonly afterSeq: number;
  /**
   * Resolves once every change committed before the call has been delivered to the listener (or
   * skipped by `prefixes`), with the seq the subscription is caught up to: at least the store's seq
   * at the call. Rejects with `STORE_CLOSED` if the subscription is closed (or the store closes)
   * first, with the subscription's error if it ends by one (the error `onError` gets), and, on a
   * backend reached over a connection, with `STORE_UNAVAILABLE` if the connection is lost before the
   * answer (the subscription itself resumes; call again once connected).
   */
  caughtUp(): Promise<number>;
  /** Stops delivery; no event is delivered after the returned promise resolves. Idempotent; resolves also after the store closed. */
  close(): Promise<void>;
}

/** What every backend reports; backends add their own fields. */
export interface KeyValueStats {
  /** Seq of the last committed write that this store has seen (0 for a new store). */
  readonly seq: number;
  readonly keys: number;
}

/**
 * The store contract every `@store` backend implements (the log, PostgreSQL, a socket client).
 * Rules the conformance suite (`@store/kv/conformance`) checks on every backend:
 *
 * - Every write is one `batch`: all its operations or none, seen whole by readers and subscribers.
 *   It resolves with its seq once durable. Seqs increase strictly in commit order (not necessarily
 *   by one). A key's version is the seq of the batch that last set it.
 * - `ifVersion` preconditions hold atomically with the write: of N racing batches with the same
 *   precondition exactly one commits, the others reject with `STORE_CONFLICT` naming the key and
 *   write nothing. A conflict means another write committed: reading again shows it.
 * - Reads see every acknowledged write (a resolved `batch`). `getMany` reads all keys at one point.
 * - `scan` returns one page, in code-unit key order (reversed with `reverse`), at one point.
 * - Subscribers get every committed write once, in seq order, with all its operations, called
 *   asynchronously (never from inside `batch`, never nested in another listener call). A listener that throws
 *   stays subscribed; its error is rethrown asynchronously and affects no write or other listener.
 *   With `prefixes`, exactly the ops whose key starts with one of them, each once; a write with no such op
 *   is skipped; events keep their batch's seq. `caughtUp()` resolves once every write committed before
 *   it was delivered or skipped, with a seq at least the store's seq at the call.
 * - Values are copied on write and read back deep-equal; what reads and events return is frozen or
 *   a copy, so no caller can change the store's state through it.
 * - `close()` lets writes in flight settle and delivers the events of every committed write, then
 *   ends subscriptions. After it, every call rejects with `STORE_CLOSED`. Every method rejects;
 *   none throws synchronously.
 * - Bad keys, values, batches and options reject with `TypeError` or `StoreError`
 *   (`STORE_INVALID_KEY`, `STORE_INVALID_VALUE`, `STORE_TOO_LARGE`) and write nothing, burn no seq.
 *   The limits (`KEY_BYTES_MAX`, `BATCH_OPS_MAX`, ...) are the same on every backend: everything
 *   within them is accepted, everything above refused; `validateWriteOps` and friends check them.
 *
 * Errors are told apart by `code`, never by `instanceof`: packages are versioned independently.
 */
export interface KeyValueStore {
  get(key: string): Promise<Entry | undefined>;
  /** Entries in the order of `keys` (undefined where missing), all as of one point. */
  getMany(keys: readonly string[]): Promise<Array<Entry | undefined>>;
  scan(options?: ScanOptions): Promise<Entry[]>;
  batch(ops: readonly WriteOp[]): Promise<WriteResult>;
  subscribe(listener: ChangeListener, options?: SubscribeOptions): Promise<Subscription>;
  stats(): Promise<KeyValueStats>;
  /** Waits for writes in flight, then releases the backend. Idempotent. */
  close(): Promise<void>;
  /**
   * Optional: reads `keys` like `getMany`, but first waits for a turn on them that writers of other
   * processes using turns respect too (`@store/remote` implements it: its server queues the turns of
   * every connection on each key, FIFO). `update()` uses it when the backend has it, so that updates
   * of different processes on the same keys take turns instead of conflicting. Keys named in
   * `sharedKeys` are held shared (others that only read them go side by side).
   *
   * A turn is a hint for speed only, never a lock: it can be taken back (a backend bounds how long a
   * turn is held), and writers that do not use turns are not held back by it. Correctness still comes
   * from the `ifVersion` preconditions of the batch written in the turn. A backend that cannot offer
   * turns (or a server too old to) may resolve a turn that holds nothing.
   */
  readInTurn?(keys: readonly string[], options?: ReadInTurnOptions): Promise<KeyTurn>;
}

export interface ReadInTurnOptions {
  /** Keys of `keys` only read: held shared with other turns that only read them. Default none. */
  readonly sharedKeys?: readonly string[];
}

/** A turn on some keys, from `readInTurn`: the entries read in it, and the two ways to end it. */
export interface KeyTurn {
  /** The entries of the keys, in their order (undefined where missing), all as of one point, as `getMany` returns them. */
  readonly entries: ReadonlyArray<Entry | undefined>;
  /**
   * Writes `ops` exactly as `batch` does (same rules, same result, same errors) and gives the turn
   * back as soon as the backend has taken the batch in, not after it commits. Call it at most once;
   * after the turn ended (`release`, or a `batch` before), it is a plain `batch`.
   */
  batch(ops: readonly WriteOp[]): Promise<WriteResult>;
  /** Gives the turn back without writing. Idempotent; does nothing after `batch`. Never throws. */
  release(): void;
}
