import { StoreError, ioError, type Clock, type FileSystem } from "@store/fs";
import type { KeyChange } from "./keyspace.js";
import { Mutex } from "./mutex.js";
import type { SyncMode } from "./options.js";
import { segmentPath } from "./files.js";
import type { LiveFiles } from "./live-files.js";
import { ActiveSegment } from "./segment.js";

export interface PendingWrite {
  readonly seq: number;
  readonly changes: readonly KeyChange[];
  /** The framed record. */
  readonly line: Buffer;
  readonly resolve: (seq: number) => void;
  readonly reject: (error: unknown) => void;
}

export interface CommitterOptions {
  readonly sync: SyncMode;
  readonly syncIntervalMs: number;
  readonly segmentBytesMax: number;
  readonly groupBytesMax: number;
  readonly segmentPreallocateBytes: number;
  readonly clock: Clock;
}

export interface CommitterHooks {
  /** The group is durable (per the sync mode): apply it, then its callers are answered. */
  onCommitted(group: readonly PendingWrite[]): void;
  /** An append failed and every queued write was rejected: forget what they promised. */
  onAbandoned(): void;
  /** The seq of the last committed record, for a new segment's header. */
  committedSeq(): number;
}

/**
 * Group commit. Writes queue up while a flush is in flight; the next flush writes all of them with
 * one write(2) and one fdatasync(2). When the queue is empty the loop stops, and the next write
 * starts it again from a microtask: callers answered by one flush have all queued their next write
 * by then, so they share the next flush, and a lone writer pays no extra event-loop turn.
 *
 * A failed fdatasync fails the store for good (PostgreSQL's fsync lesson: the kernel may have
 * dropped the dirty pages, so a retry that "succeeds" proves nothing). A failed append (disk full)
 * is cut back off the file and rejects the writes queued so far; later writes may succeed.
 */
export class Committer {
  readonly #fs: FileSystem;
  readonly #dir: string;
  readonly #options: CommitterOptions;
  readonly #hooks: CommitterHooks;
  readonly #mutex = new Mutex();
  readonly #queue: PendingWrite[] = [];
  readonly #idleWaiters: Array<() => void> = [];
  /** Cancels the pending interval sync; undefined once closed. */
  #cancelSyncTimer: (() => void) | undefined;
  #segment: ActiveSegment;
  #highestFileNumber: number;
  #flushing = false;
  #dirty = false;
  #failure: StoreError | undefined;
  #flushes = 0;
  /** A segment this committer seals joins them. */
  readonly #liveFiles: LiveFiles;
  /** The sealing of the segments rolled away from, which runs behind the writes to the next one. */
  #sealing: Promise<void> = Promise.resolve();

  constructor(fs: FileSystem, dir: string, segment: ActiveSegment, liveFiles: LiveFiles, highestFileNumber: number, options: CommitterOptions, hooks: CommitterHooks) {
    this.#fs = fs;
    this.#liveFiles = liveFiles;
    this.#dir = dir;
    this.#segment = segment;
    this.#highestFileNumber = Math.max(highestFileNumber, segment.fileNumber);
    this.#options = options;
    this.#hooks = hooks;
    if (options.sync === "interval") this.#armSyncTimer();
  }

  /** With sync "interval": one sync per syncIntervalMs of the clock, re-armed after each, until close. */
  #armSyncTimer(): void {
    this.#cancelSyncTimer = this.#options.clock.setTimer(() => {
      void this.sync().catch(() => undefined);
      if (this.#cancelSyncTimer !== undefined) this.#armSyncTimer();
    }, this.#options.syncIntervalMs);
  }

  get failure(): StoreError | undefined {
    return this.#failure;
  }

  get flushes(): number {
    return this.#flushes;
  }

  get segment(): ActiveSegment {
    return this.#segment;
  }

  get queuedWrites(): number {
    return this.#queue.length;
  }

  enqueue(write: PendingWrite): void {
    this.#queue.push(write);
    if (this.#flushing) return;
    this.#flushing = true;
    // A microtask still collects every write submitted in the same synchronous run (Promise.all of
    // many sets) without the extra event-loop turn a lone writer would pay for setImmediate.
    queueMicrotask(() => void this.#flushLoop());
  }

  /** Resolves once every write queued so far has been answered. */
  idle(): Promise<void> {
    if (!this.#flushing && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** fdatasync now if anything was written since the last one; also waits for a zero fill in flight. */
  sync(): Promise<void> {
    return this.#mutex.run(async () => {
      await this.#segment.settle();
      if (!this.#dirty || this.#failure !== undefined) return;
      this.#dirty = false;
      await this.#datasync();
    });
  }

  /**
   * Starts the next segment; `withNew` runs before any write reaches it. Resolves once the old
   * segment is also sealed (its zeros cut off, durably), which writers do not wait for.
   */
  async roll<T>(withNew: (segment: ActiveSegment) => T): Promise<T> {
    const result = await this.#mutex.run(async () => {
      await this.#rollLocked();
      return withNew(this.#segment);
    });
    await this.#sealing;
    return result;
  }

  async close(): Promise<void> {
    await this.idle();
    const cancel = this.#cancelSyncTimer;
    this.#cancelSyncTimer = undefined;
    cancel?.();
    await this.#sealing;
    await this.#mutex.run(async () => {
      if (this.#failure === undefined && this.#options.sync !== "always") await this.#datasync();
      await this.#segment.close();
    });
  }

  /** Marks the store failed: every queued and later write is rejected with `error`. */
  fail(error: StoreError): void {
    this.#failure ??= error;
    for (const write of this.#queue.splice(0)) write.reject(this.#failure);
  }

  async #flushLoop(): Promise<void> {
    while (this.#queue.length > 0 && this.#failure === undefined) {
      const group = this.#takeGroup();
      await this.#mutex.run(() => this.#commit(group));
    }
    this.#flushing = false;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #takeGroup(): PendingWrite[] {
    let bytes = 0;
    let count = 0;
    while (count < this.#queue.length) {
      const size = this.#queue[count]!.line.length;
      if (count > 0 && bytes + size > this.#options.groupBytesMax) break;
      bytes += size;
      count += 1;
    }
    return this.#queue.splice(0, count);
  }

  async #commit(group: PendingWrite[]): Promise<void> {
    if (this.#failure !== undefined) {
      for (const write of group) write.reject(this.#failure);
      return;
    }
    try {
      await this.#segment.append(group.length === 1 ? group[0]!.line : Buffer.concat(group.map((write) => write.line)));
    } catch (error) {
      this.#abandon(group, error);
      return;
    }
    if (this.#options.sync === "always") {
      try {
        await this.#datasync();
      } catch {
        for (const write of group) write.reject(this.#failure);
        return;
      }
    } else {
      this.#dirty = true;
    }
    this.#hooks.onCommitted(group);
    for (const write of group) write.resolve(write.seq);
    // A segment about to roll gets no more zeros: the roll would wait for them.
    if (this.#segment.size < this.#options.segmentBytesMax) {
      this.#segment.preallocate((error) => {
        this.fail(syncFailure(this.#segment.path, error));
      });
    }
    // These records are durable whatever happens to the roll; a roll that fails (disk full) leaves
    // the segment active and is tried again after the next group. A failed fdatasync fails the store.
    if (this.#segment.size >= this.#options.segmentBytesMax) await this.#rollLocked().catch(() => undefined);
  }

  /** The append failed and was cut back off: reject it and everything queued behind it. */
  #abandon(group: PendingWrite[], error: unknown): void {
    if (error instanceof StoreError && error.code === "STORE_FAILED") this.fail(error as StoreError);
    const reason = error instanceof StoreError ? error : ioError("Appending to the log", this.#segment.path, error);
    for (const write of [...group, ...this.#queue.splice(0)]) write.reject(reason);
    this.#hooks.onAbandoned();
  }

  async #datasync(): Promise<void> {
    try {
      await this.#segment.datasync();
      this.#flushes += 1;
    } catch (error) {
      const failure = syncFailure(this.#segment.path, error);
      this.fail(failure);
      throw failure;
    }
  }

  /**
   * Switches to a new segment. Writers wait only for the new segment's creation (its header durable,
   * then its name): the old one's records are already durable in "always" mode, and are made so first
   * in the other modes (only the last segment may ever have a torn tail). Cutting the old segment's
   * preallocated zeros off happens behind the writes: until it is durable, a crash leaves zeros after
   * its last record, which every reader takes for free space (docs/format.md).
   */
  async #rollLocked(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    const old = this.#segment;
    // A zero fill still in flight past the old segment's last record would, if the power went before
    // its fdatasync, leave whatever the disk makes of unsynced pages there: in a segment that is no
    // longer the last, that is damage, not a torn tail. It ends (synced) before the next segment exists.
    await old.settle();
    if (this.#options.sync !== "always") {
      try {
        await old.datasync();
        this.#flushes += 1;
      } catch (error) {
        const failure = syncFailure(old.path, error);
        this.fail(failure);
        throw failure;
      }
    }
    // The number is used up whatever happens, so a half-made file is never created twice.
    const fileNumber = ++this.#highestFileNumber;
    let next: ActiveSegment;
    try {
      next = await ActiveSegment.create(this.#fs, this.#dir, fileNumber, this.#hooks.committedSeq(), this.#options.sync, this.#options.segmentPreallocateBytes);
    } catch (error) {
      // Nothing to remove: creation drops its own temp file, and a file already at this name (the
      // link failed) is not ours to delete; one left after its header was linked holds no record.
      throw ioError("Starting a new log segment", segmentPath(this.#dir, fileNumber), error);
    }
    this.#segment = next;
    this.#liveFiles.addSealed(old.fileNumber, old.size);
    this.#sealing = this.#sealing.then(() => this.#seal(old));
  }

  /** Cuts the old segment's zeros off durably and closes it. A failure fails the store, as any failed fdatasync does. */
  async #seal(old: ActiveSegment): Promise<void> {
    try {
      await old.seal();
      this.#flushes += 1;
    } catch (error) {
      this.fail(syncFailure(old.path, error));
    }
    await old.close().catch(() => undefined);
  }
}

function syncFailure(path: string, error: unknown): StoreError {
  return new StoreError(
    "STORE_FAILED",
    `fdatasync of ${path} failed, so recent writes may not be on disk: ${error instanceof Error ? error.message : String(error)}. ` +
      `This store instance rejects all writes from now on; close it and open the folder again to see exactly what is durable.`,
    { path, cause: error },
  );
}
