import { watch, type FSWatcher } from "node:fs";
import { CorruptionError, StoreError, isErrno, nodeFileSystem, type FileSystem } from "@store/fs";
import { listBackups } from "./backup-files.js";
import { listDataFiles, segmentPath } from "./files.js";
import type { WriteRecord } from "./format.js";
import { recordSeqProblem, startGapAllowed, type ChainEnd } from "./replay-rules.js";
import { openBackupCursor, openLiveCursor, type SegmentCursor } from "./segment-cursor.js";

export interface FollowedRecord {
  readonly seq: number;
  readonly record: WriteRecord;
  /** The segment it was read from (a `backups/` file when the writer had retired it). */
  readonly path: string;
  readonly offset: number;
}

export interface FollowOptions {
  readonly fs?: FileSystem;
  /** Yield the records with a seq above this one. Default: from the end (see `last`). */
  readonly afterSeq?: number;
  /** Without `afterSeq`: start with the last this many records written. Default 0 (only new ones). */
  readonly last?: number;
  /** Keep waiting for new records. Default true; false stops at the end of what is written. */
  readonly follow?: boolean;
  /** Stops following: the iteration ends. */
  readonly signal?: AbortSignal;
  /** How often to look for new records when no file event came, in ms. Default 1,000. */
  readonly pollIntervalMs?: number;
}

/**
 * The records of a data folder as they are written, in seq order, for a process other than the
 * writer: read-only, no lock. It reads the segments (never the base), follows the writer from one
 * segment to the next when it rolls, and when a compaction retires segments it has not read yet,
 * reads them from `backups/`. So every record after `afterSeq` comes once, in order, or the
 * iteration fails: STORE_HISTORY_GONE when records it needs were compacted away with no backup
 * kept (`backupsMax`), STORE_CORRUPTED for damage (a record being written is waited for, not damage).
 *
 * Records are seen once written to the file, which with `sync: "always"` can be a moment before the
 * writer's fdatasync acknowledges them. New records are noticed by a watch on the folder and by
 * polling every `pollIntervalMs`.
 */
export async function* followLog(dir: string, options: FollowOptions = {}): AsyncGenerator<FollowedRecord> {
  const fs = options.fs ?? nodeFileSystem;
  const follow = options.follow ?? true;
  assertOptions(options);
  const waker = new Waker(fs === nodeFileSystem && follow ? dir : undefined, options.pollIntervalMs ?? 1000, options.signal);
  let cursor: SegmentCursor | undefined;
  try {
    const start = await startingPoint(fs, dir, options);
    cursor = start.cursor;
    const state = { lastSeq: cursor?.header.seq ?? 0, afterSeq: start.afterSeq };
    for (;;) {
      if (options.signal?.aborted === true) return;
      if (cursor === undefined) {
        // A folder without a segment yet: the writer's first open is making one.
        cursor = (await nextSegment(fs, dir, -1))?.cursor;
        if (cursor !== undefined) state.lastSeq = continuity(cursor, state.afterSeq, { seq: Math.min(state.afterSeq, cursor.header.seq), afterSalvaged: false });
        else if (!follow) return; // nothing written yet, and not waiting for it
        else await waker.wait();
        continue;
      }
      yield* drain(cursor, state);
      const next = await nextSegment(fs, dir, cursor.fileNumber);
      if (next !== undefined) {
        // The writer seals a segment before it creates the next: what came meanwhile is in it now.
        yield* drain(cursor, state);
        const problem = await cursor.sealedEndProblem();
        if (problem !== undefined) throw damaged(cursor.path, 0, problem);
        await cursor.close();
        // As every reader of a folder: a salvaged segment excuses a gap after it, unless a segment without a header lies between.
        const before = { seq: state.lastSeq, afterSalvaged: cursor.header.salvaged === true && !next.afterHeaderless };
        cursor = next.cursor;
        state.lastSeq = continuity(cursor, state.lastSeq, before);
        continue;
      }
      if (!follow) return;
      await waker.wait();
    }
  } finally {
    await cursor?.close().catch(() => undefined);
    waker.close();
  }
}

/** Every record available in `cursor`, checked to follow the one before, those after `afterSeq` yielded. */
async function* drain(cursor: SegmentCursor, state: { lastSeq: number; afterSeq: number }): AsyncGenerator<FollowedRecord> {
  for await (const { record, offset } of cursor.available()) {
    if (record.op !== "set" && record.op !== "del" && record.op !== "batch") throw damaged(cursor.path, offset, `unexpected "${record.op}" record in a segment`);
    const problem = recordSeqProblem(record.seq, state.lastSeq, cursor.header.salvaged === true);
    if (problem !== undefined) throw damaged(cursor.path, offset, problem);
    state.lastSeq = record.seq;
    if (record.seq > state.afterSeq) yield { seq: record.seq, record, path: cursor.path, offset };
  }
}

/**
 * A segment must start where the records before it end. Past it, the records between are gone: a
 * compaction retired their segment and its backup is no longer kept.
 */
function continuity(cursor: SegmentCursor, lastSeq: number, before: ChainEnd): number {
  const { seq } = cursor.header;
  const expectedSeq = before.seq;
  if (seq === expectedSeq || (seq > expectedSeq && startGapAllowed(cursor.header, before))) return seq;
  if (seq < expectedSeq) throw damaged(cursor.path, 0, `the segment starts after seq ${seq}, but the records before it reach seq ${expectedSeq}`);
  throw new StoreError(
    "STORE_HISTORY_GONE",
    `The records after seq ${lastSeq} up to seq ${seq} are no longer in ${cursor.path.slice(0, cursor.path.lastIndexOf("/"))}: a compaction retired them and their backup is not kept ` +
      `(backupsMax). Read the state again (an export) and follow from its seq.`,
    { path: cursor.path },
  );
}

/** The segment holding the record after `afterSeq` (or the end, by default), opened. */
async function startingPoint(fs: FileSystem, dir: string, options: FollowOptions): Promise<{ cursor: SegmentCursor | undefined; afterSeq: number }> {
  const numbers = (await segmentNumbers(fs, dir)).reverse();
  const afterSeq = options.afterSeq ?? Math.max(0, (await endSeq(fs, dir, numbers)) - (options.last ?? 0));
  let oldest: SegmentCursor | undefined;
  for (const fileNumber of numbers) {
    const cursor = await openSegment(fs, dir, fileNumber);
    if (cursor === undefined) continue;
    if (cursor.header.seq <= afterSeq) {
      await oldest?.close();
      return { cursor, afterSeq };
    }
    await oldest?.close();
    oldest = cursor;
  }
  if (oldest === undefined) return { cursor: undefined, afterSeq };
  if (options.afterSeq === undefined) return { cursor: oldest, afterSeq: oldest.header.seq };
  // Salvage dropped the records before it and said so once (replay-rules.ts): every reader starts there.
  if (startGapAllowed(oldest.header, { seq: afterSeq, afterSalvaged: false })) return { cursor: oldest, afterSeq };
  const oldestSeq = oldest.header.seq;
  await oldest.close();
  throw new StoreError(
    "STORE_HISTORY_GONE",
    `The records after seq ${afterSeq} are no longer in ${dir}: the oldest segment kept (in the folder or in backups/) starts after seq ${oldestSeq}. ` +
      `Follow from seq ${oldestSeq} or later, or keep more backups (backupsMax).`,
    { path: dir },
  );
}

/** The last seq written: the last record of the newest segment that has a header. */
async function endSeq(fs: FileSystem, dir: string, newestFirst: readonly number[]): Promise<number> {
  for (const fileNumber of newestFirst) {
    const cursor = await openSegment(fs, dir, fileNumber);
    if (cursor === undefined) continue;
    try {
      let seq = cursor.header.seq;
      for await (const { record } of cursor.available()) if ("seq" in record) seq = record.seq;
      return seq;
    } finally {
      await cursor.close();
    }
  }
  return 0;
}

/** Segment numbers in the folder and in backups/, ascending. */
async function segmentNumbers(fs: FileSystem, dir: string): Promise<number[]> {
  const live = (await listDataFiles(fs, dir)).segments;
  const retired = (await listBackups(fs, dir)).filter((backup) => backup.kind === "segment").map((backup) => backup.fileNumber);
  return [...new Set([...live, ...retired])].sort((a, b) => a - b);
}

/**
 * The first segment after `fileNumber` that has a header; a header-less one before a later one never
 * held a record (`afterHeaderless` says one was passed).
 */
async function nextSegment(fs: FileSystem, dir: string, fileNumber: number): Promise<{ cursor: SegmentCursor; afterHeaderless: boolean } | undefined> {
  const later = (await segmentNumbers(fs, dir)).filter((number) => number > fileNumber);
  let afterHeaderless = false;
  for (const number of later) {
    const cursor = await openSegment(fs, dir, number);
    if (cursor !== undefined) return { cursor, afterHeaderless };
    afterHeaderless = true;
  }
  return undefined;
}

/** Segment `fileNumber` from the folder or, once retired, from backups/; undefined if neither has it (with a header). */
async function openSegment(fs: FileSystem, dir: string, fileNumber: number): Promise<SegmentCursor | undefined> {
  try {
    return await openLiveCursor(fs, segmentPath(dir, fileNumber), fileNumber);
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
  // A retired segment's backup is durable before the segment is unlinked.
  const backup = (await listBackups(fs, dir)).find((file) => file.kind === "segment" && file.fileNumber === fileNumber);
  if (backup === undefined) return undefined;
  try {
    return await openBackupCursor(fs, backup);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined; // pruned meanwhile (older than backupsMax compactions)
    throw error;
  }
}

function damaged(path: string, offset: number, problem: string): CorruptionError {
  return new CorruptionError(`${path} is damaged at byte ${offset}: ${problem}.`, { path, offset });
}

function assertOptions(options: FollowOptions): void {
  const { afterSeq, last, pollIntervalMs } = options;
  if (afterSeq !== undefined && (!Number.isSafeInteger(afterSeq) || afterSeq < 0)) throw new TypeError(`followLog() takes a seq (an integer from 0) as afterSeq, got ${JSON.stringify(afterSeq)}.`);
  if (last !== undefined && (!Number.isSafeInteger(last) || last < 0)) throw new TypeError(`followLog() takes a count (an integer from 0) as last, got ${JSON.stringify(last)}.`);
  if (pollIntervalMs !== undefined && (!Number.isSafeInteger(pollIntervalMs) || pollIntervalMs < 1)) throw new TypeError(`followLog() takes a positive integer pollIntervalMs, got ${JSON.stringify(pollIntervalMs)}.`);
}

/**
 * Wakes a follower when the folder changes (a watch: new segments, appends), or after `intervalMs`
 * anyway (a watch can miss events, and not every FileSystem has one), or on abort. An event while
 * the follower was reading makes the next wait return at once, so nothing written meanwhile waits
 * for the poll.
 */
class Waker {
  readonly #watcher: FSWatcher | undefined;
  readonly #intervalMs: number;
  readonly #signal: AbortSignal | undefined;
  #changed = false;
  #wake: (() => void) | undefined;

  constructor(dir: string | undefined, intervalMs: number, signal: AbortSignal | undefined) {
    this.#intervalMs = intervalMs;
    this.#signal = signal;
    let watcher: FSWatcher | undefined;
    try {
      watcher = dir === undefined ? undefined : watch(dir, { persistent: false }, () => {
        this.#changed = true;
        this.#wake?.();
      });
      watcher?.on("error", () => undefined); // the folder went away: polling goes on, and says so
    } catch {
      watcher = undefined; // no watch here: polling only
    }
    this.#watcher = watcher;
  }

  async wait(): Promise<void> {
    if (this.#changed || this.#signal?.aborted === true) {
      this.#changed = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#signal?.removeEventListener("abort", done);
        this.#wake = undefined;
        this.#changed = false;
        resolve();
      };
      const timer = setTimeout(done, this.#intervalMs);
      this.#signal?.addEventListener("abort", done);
      this.#wake = done;
    });
  }

  close(): void {
    this.#watcher?.close();
  }
}
