import { Committer, type PendingWrite } from "./committer.js";
import { compact, type CompactionResult } from "./store-compaction.js";
import { frameJson } from "./format.js";
import { StoreError, assertJsonValue, assertKey, deepFreeze, type DirectoryLock, type JsonValue } from "@store/fs";
import type { KeyChange, Keyspace } from "./keyspace.js";
import { resolveOptions, type ResolvedOptions, type StoreOptions } from "./options.js";
import { openFolder } from "./store-open.js";
import type { RecoveryReport } from "./recovery.js";
import { validateBatch, type BatchOp, type Precondition } from "./write-request.js";

export type ChangeOp = { readonly type: "set"; readonly key: string; readonly value: JsonValue } | { readonly type: "delete"; readonly key: string };
/** What subscribers hear after a write is durable: its seq and what it changed. */
export interface ChangeEvent {
  readonly seq: number;
  readonly ops: readonly ChangeOp[];
}
export type ChangeListener = (event: ChangeEvent) => void;

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

/**
 * A JSON key-value store whose single source of truth is an append-only log in `dir`.
 * Reads come from memory and see acknowledged writes; a write resolves once its record is durable.
 * Open it with `openStore`.
 */
export class Store {
  readonly dir: string;
  readonly recovery: RecoveryReport;
  readonly #options: ResolvedOptions;
  readonly #keyspace: Keyspace;
  readonly #committer: Committer | undefined;
  readonly #lock: DirectoryLock | undefined;
  readonly #listeners = new Set<ChangeListener>();
  /** Per key, the newest write submitted but not yet durable, for preconditions. */
  readonly #pendingVersions = new Map<string, { readonly seq: number; readonly exists: boolean }>();
  readonly #compactionState: { running: Promise<CompactionResult> | undefined; lastAtMs: number | null; lastError: string | null; baseNumber: number | undefined; baseBytes: number };
  #nextSeq: number;
  #closing: Promise<void> | undefined;

  private constructor(dir: string, options: ResolvedOptions, opened: Awaited<ReturnType<typeof openFolder>>) {
    this.dir = dir;
    this.#options = options;
    this.#keyspace = opened.keyspace;
    this.recovery = opened.report;
    this.#lock = opened.lock;
    this.#nextSeq = opened.keyspace.seq + 1;
    this.#compactionState = { running: undefined, lastAtMs: null, lastError: null, baseNumber: opened.baseNumber, baseBytes: opened.baseBytes };
    this.#committer =
      opened.segment === undefined
        ? undefined
        : new Committer(options.fs, dir, opened.segment, opened.highestFileNumber, options, {
            onCommitted: (group) => {
              this.#applyCommitted(group);
            },
            onAbandoned: () => {
              this.#forgetPending();
            },
            committedSeq: () => this.#keyspace.seq,
          });
    for (const [fileNumber, size] of opened.sealedSegments) this.#committer?.sealed.set(fileNumber, size);
  }

  /** Opens (creating if needed) the store in `dir`; see `openStore`. */
  static async open(dir: string, options: StoreOptions = {}): Promise<Store> {
    if (typeof dir !== "string" || dir.length === 0) throw new TypeError(`openStore() needs a folder path, got ${JSON.stringify(dir)}.`);
    const resolved = resolveOptions(options);
    return new Store(dir, resolved, await openFolder(dir, resolved));
  }

  /** Seq of the last acknowledged write (0 for a new store). */
  get seq(): number {
    return this.#keyspace.seq;
  }

  get(key: string): JsonValue | undefined {
    return this.#keyspace.get(assertReadKey(key));
  }

  has(key: string): boolean {
    return this.#keyspace.version(assertReadKey(key)) !== undefined;
  }

  /** The seq of the key's last acknowledged write, or undefined if the key does not exist. */
  version(key: string): number | undefined {
    return this.#keyspace.version(assertReadKey(key));
  }

  /** Keys starting with `prefix` and their values, sorted by key (UTF-16 code unit order). */
  scan(prefix = ""): IterableIterator<[string, JsonValue]> {
    if (typeof prefix !== "string") throw new TypeError(`scan() takes a string prefix, got ${typeof prefix}.`);
    return this.#keyspace.scan(prefix)[Symbol.iterator]();
  }

  set(key: string, value: JsonValue): Promise<WriteResult> {
    return this.#write(() => {
      assertKey(key, this.#options);
      assertJsonValue(value, key, this.#options);
      const json = JSON.stringify(value);
      return {
        changes: [{ key, json, deleted: false }],
        recordJson: (seq) => `{"op":"set","seq":${seq},"key":${JSON.stringify(key)},"value":${json},"ts":${Date.now()}}`,
        preconditions: [],
      };
    });
  }

  /** Deletes `key` (a tombstone record); resolves once durable, whether or not the key existed. */
  delete(key: string): Promise<WriteResult> {
    return this.#write(() => {
      assertKey(key, this.#options);
      return {
        changes: [{ key, deleted: true }],
        recordJson: (seq) => `{"op":"del","seq":${seq},"key":${JSON.stringify(key)},"ts":${Date.now()}}`,
        preconditions: [],
      };
    });
  }

  /**
   * Applies all operations or none, as one record. Preconditions (`ifVersion`) are checked against
   * every write submitted before this one; a failed one rejects with STORE_CONFLICT and writes nothing.
   */
  batch(ops: readonly BatchOp[]): Promise<WriteResult> {
    return this.#write(() => {
      const batch = validateBatch(ops, this.#options);
      const changes: KeyChange[] = batch.ops.map((op) => (op.op === "set" ? { key: op.key, json: JSON.stringify(op.value), deleted: false } : { key: op.key, deleted: true }));
      const opsJson = changes
        .map((change) => (change.deleted ? `{"op":"del","key":${JSON.stringify(change.key)}}` : `{"op":"set","key":${JSON.stringify(change.key)},"value":${change.json!}}`))
        .join(",");
      return {
        changes,
        recordJson: (seq) => `{"op":"batch","seq":${seq},"ops":[${opsJson}],"ts":${Date.now()}}`,
        preconditions: batch.preconditions,
      };
    });
  }

  /** Calls `listener` after each durable write, in seq order. Returns the function that unsubscribes. */
  subscribe(listener: ChangeListener): () => void {
    if (typeof listener !== "function") throw new TypeError("subscribe() takes a function.");
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Waits for every write submitted so far and makes it durable (fdatasync), whatever the sync mode. */
  async checkpoint(): Promise<WriteResult> {
    const committer = this.#writable();
    await committer.idle();
    await committer.sync();
    if (committer.failure !== undefined) throw committer.failure;
    return { seq: this.#keyspace.seq };
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
    state.running ??= compact({ fs: this.#options.fs, dir: this.dir, keyspace: this.#keyspace, committer, state, backupsMax: this.#options.backupsMax }).finally(() => {
      state.running = undefined;
    });
    return state.running;
  }

  stats(): StoreStats {
    const committer = this.#committer;
    const state = this.#compactionState;
    let sealedBytes = 0;
    for (const size of committer?.sealed.values() ?? []) sealedBytes += size;
    return {
      seq: this.#keyspace.seq,
      keys: this.#keyspace.size,
      liveBytes: this.#keyspace.liveBytes,
      totalBytes: state.baseBytes + sealedBytes + (committer?.segment.size ?? 0),
      segments: (committer?.sealed.size ?? 0) + (committer === undefined ? 0 : 1),
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
      await this.#lock?.release();
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

  /**
   * Validates, checks preconditions, assigns the seq and queues the record, all before the first
   * await, so submission order is seq order and preconditions see every earlier write.
   */
  #write(prepare: () => PreparedWrite): Promise<WriteResult> {
    try {
      const committer = this.#writable();
      const request = prepare();
      for (const condition of request.preconditions) this.#checkPrecondition(condition);
      const seq = this.#nextSeq;
      const line = frameJson(request.recordJson(seq));
      if (line.length > this.#options.recordBytesMax) {
        throw new StoreError("STORE_TOO_LARGE", `The record for seq ${seq} is ${line.length} bytes, over recordBytesMax (${this.#options.recordBytesMax}). Store less per key, or raise recordBytesMax.`, {
          key: request.changes[0]?.key,
        });
      }
      this.#nextSeq += 1;
      for (const change of request.changes) this.#pendingVersions.set(change.key, { seq, exists: !change.deleted });
      return new Promise<number>((resolve, reject) => {
        committer.enqueue({ seq, changes: request.changes, line, resolve, reject });
      }).then((committedSeq) => ({ seq: committedSeq }));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #checkPrecondition({ key, ifVersion }: Precondition): void {
    const pending = this.#pendingVersions.get(key);
    const current = pending === undefined ? this.#keyspace.version(key) : pending.exists ? pending.seq : undefined;
    if ((ifVersion === null && current === undefined) || ifVersion === current) return;
    const found = current === undefined ? "it does not exist" : `its version is ${current}`;
    const expected = ifVersion === null ? "not to exist" : `version ${ifVersion}`;
    throw new StoreError("STORE_CONFLICT", `Key ${JSON.stringify(key)} was expected ${expected}, but ${found}. Read it again and retry.`, { key });
  }

  #applyCommitted(group: readonly PendingWrite[]): void {
    for (const write of group) {
      this.#keyspace.apply(write.seq, write.changes, write.line.length);
      for (const change of write.changes) {
        if (this.#pendingVersions.get(change.key)?.seq === write.seq) this.#pendingVersions.delete(change.key);
      }
    }
    if (this.#listeners.size === 0) return;
    for (const write of group) this.#emit(toChangeEvent(write));
  }

  #forgetPending(): void {
    this.#pendingVersions.clear();
    this.#nextSeq = this.#keyspace.seq + 1;
  }

  #emit(event: ChangeEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not undo or stall a durable write; surface it like an uncaught error.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

interface PreparedWrite {
  readonly changes: KeyChange[];
  /** The record's JSON text, once its seq is known. */
  readonly recordJson: (seq: number) => string;
  readonly preconditions: Precondition[];
}

function toChangeEvent(write: PendingWrite): ChangeEvent {
  return {
    seq: write.seq,
    ops: write.changes.map((change): ChangeOp => (change.deleted ? { type: "delete", key: change.key } : { type: "set", key: change.key, value: deepFreeze(JSON.parse(change.json!) as JsonValue) })),
  };
}

function assertReadKey(key: string): string {
  if (typeof key !== "string") throw new TypeError(`A key must be a string, got ${typeof key}.`);
  return key;
}

