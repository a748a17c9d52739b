import { StoreError, type DirectoryLock } from "@store/fs";
import { Committer, type PendingWrite } from "./committer.js";
import { compact, type CompactionResult } from "./store-compaction.js";
import { decodeLine, encodeRecord, type BatchOpRecord, type WriteRecord } from "./format.js";
import { assertJsonValue, deepFreeze, type JsonValue } from "./json-value.js";
import { assertKey } from "./keys.js";
import type { Keyspace } from "./keyspace.js";
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
      return { record: (seq) => ({ op: "set", seq, key, value, ts: Date.now() }), keys: [[key, false]], preconditions: [] };
    });
  }

  /** Deletes `key` (a tombstone record); resolves once durable, whether or not the key existed. */
  delete(key: string): Promise<WriteResult> {
    return this.#write(() => {
      assertKey(key, this.#options);
      return { record: (seq) => ({ op: "del", seq, key, ts: Date.now() }), keys: [[key, true]], preconditions: [] };
    });
  }

  /**
   * Applies all operations or none, as one record. Preconditions (`ifVersion`) are checked against
   * every write submitted before this one; a failed one rejects with STORE_CONFLICT and writes nothing.
   */
  batch(ops: readonly BatchOp[]): Promise<WriteResult> {
    return this.#write(() => {
      const batch = validateBatch(ops, this.#options);
      return {
        record: (seq) => ({ op: "batch", seq, ops: batch.ops, ts: Date.now() }),
        keys: batch.ops.map((op: BatchOpRecord) => [op.key, op.op === "del"]),
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
    const committer = this.#writable();
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

  /** Validates, checks preconditions, assigns the seq and queues the record, all before the first await. */
  #write(prepare: () => { record: (seq: number) => WriteRecord; keys: Array<[string, boolean]>; preconditions: Precondition[] }): Promise<WriteResult> {
    try {
      const committer = this.#writable();
      const request = prepare();
      for (const condition of request.preconditions) this.#checkPrecondition(condition);
      const seq = this.#nextSeq;
      const line = encodeRecord(request.record(seq));
      if (line.length > this.#options.recordBytesMax) {
        throw new StoreError("STORE_TOO_LARGE", `The record for seq ${seq} is ${line.length} bytes, over recordBytesMax (${this.#options.recordBytesMax}). Store less per key, or raise recordBytesMax.`, {
          key: request.keys[0]?.[0],
        });
      }
      this.#nextSeq += 1;
      for (const [key, isDelete] of request.keys) this.#pendingVersions.set(key, { seq, exists: !isDelete });
      return new Promise<number>((resolve, reject) => {
        committer.enqueue({ record: decodeOwnLine(line), line, resolve, reject });
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
      this.#keyspace.apply(write.record, write.line.length);
      for (const key of keysOf(write.record)) {
        if (this.#pendingVersions.get(key)?.seq === write.record.seq) this.#pendingVersions.delete(key);
      }
    }
    if (this.#listeners.size === 0) return;
    for (const write of group) this.#emit(toChangeEvent(write.record));
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

/**
 * The record as the log holds it, decoded from its own line: the keyspace keeps this copy, never the
 * caller's object (which the caller may change later), and the framing is checked on the way.
 */
function decodeOwnLine(line: Buffer): WriteRecord {
  const decoded = decodeLine(line, 0, line.length - 1);
  if (typeof decoded === "string" || (decoded.op !== "set" && decoded.op !== "del" && decoded.op !== "batch")) {
    throw new Error(`assertion failed: a record just encoded does not decode (${typeof decoded === "string" ? decoded : decoded.op})`);
  }
  return decoded;
}

function keysOf(record: WriteRecord): string[] {
  return record.op === "batch" ? record.ops.map((op) => op.key) : [record.key];
}

function toChangeEvent(record: WriteRecord): ChangeEvent {
  switch (record.op) {
    case "set":
      return { seq: record.seq, ops: [{ type: "set", key: record.key, value: deepFreeze(record.value) }] };
    case "del":
      return { seq: record.seq, ops: [{ type: "delete", key: record.key }] };
    case "batch":
      return { seq: record.seq, ops: record.ops.map((op) => (op.op === "set" ? { type: "set", key: op.key, value: deepFreeze(op.value) } : { type: "delete", key: op.key })) };
  }
}

function assertReadKey(key: string): string {
  if (typeof key !== "string") throw new TypeError(`A key must be a string, got ${typeof key}.`);
  return key;
}

