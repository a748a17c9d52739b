import { CorruptionError, type FileHandle, type FileSystem } from "@store/fs";
import { readBackupLines, type BackupFile } from "./backup-files.js";
import { decodeLine, findNewline, type HeaderRecord, type LogRecord } from "./format.js";
import { assertSupportedVersion } from "./replay-rules.js";

/** A record of a segment and where its line starts (for a backup, in its decompressed bytes). */
export interface CursorRecord {
  readonly record: LogRecord;
  readonly offset: number;
}

/**
 * Reads one segment's records for a follower: a live segment as it grows (from where the last call
 * stopped), or a retired one from its gzipped backup. The header has been read when it is made.
 */
export interface SegmentCursor {
  readonly fileNumber: number;
  readonly path: string;
  readonly header: HeaderRecord;
  /** The whole records available now, after the ones already returned. */
  available(): AsyncGenerator<CursorRecord>;
  /** Why the segment does not end at the last record returned, for a segment known to be sealed. */
  sealedEndProblem(): Promise<string | undefined>;
  close(): Promise<void>;
}

const CHUNK_BYTES = 64 * 1024;

/** A live segment, or undefined while it has no whole header (its creation failed before the header). */
export async function openLiveCursor(fs: FileSystem, path: string, fileNumber: number): Promise<SegmentCursor | undefined> {
  const handle = await fs.open(path, "r");
  const cursor = new LiveCursor(handle, fileNumber);
  try {
    for await (const { record, offset } of cursor.available()) {
      if (record.op !== "header" || record.kind !== "segment") throw new CorruptionError(`${path} is damaged at byte ${offset}: the first line is not a segment header.`, { path, offset });
      assertSupportedVersion(record, path);
      return cursor.withHeader(record);
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  await handle.close();
  return undefined;
}

class LiveCursor implements SegmentCursor {
  readonly fileNumber: number;
  readonly path: string;
  header!: HeaderRecord;
  readonly #handle: FileHandle;
  /** Offset of the first line not returned yet. */
  #position = 0;

  constructor(handle: FileHandle, fileNumber: number) {
    this.#handle = handle;
    this.path = handle.path;
    this.fileNumber = fileNumber;
  }

  withHeader(header: HeaderRecord): this {
    this.header = header;
    return this;
  }

  /**
   * Lines up to the first that is not a whole record. The writer may be writing it (a reader can see
   * a record's later bytes before its earlier ones while both are copied), so a bad line is read
   * again from the disk once before it counts as damage, and only when whole records follow it;
   * without any after it, it is a record in progress (or a torn tail the writer's next open cuts):
   * the next call starts there again.
   */
  async *available(): AsyncGenerator<CursorRecord> {
    let rereadAt = -1;
    for (;;) {
      const bad = yield* this.#linesFrom(this.#position);
      if (bad === undefined) return;
      if (rereadAt === bad.offset) throw new CorruptionError(`${this.path} is damaged at byte ${bad.offset}: ${bad.reason}, and whole records follow it.`, { path: this.path, offset: bad.offset });
      rereadAt = bad.offset;
    }
  }

  /** Yields the whole records from `position`; returns a bad line followed by whole records, if one is found. */
  async *#linesFrom(position: number): AsyncGenerator<CursorRecord, { offset: number; reason: string } | undefined> {
    let buffer: Buffer = Buffer.alloc(0);
    let base = position;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const count = await this.#handle.read(chunk, 0, chunk.length, base + buffer.length);
      if (count === 0) return undefined;
      buffer = buffer.length === 0 ? chunk.subarray(0, count) : Buffer.concat([buffer, chunk.subarray(0, count)]);
      let start = 0;
      for (let newline = findNewline(buffer, 0); newline !== -1; newline = findNewline(buffer, start)) {
        const decoded = decodeLine(buffer, start, newline);
        if (typeof decoded === "string") return hasWholeRecordAfter(buffer, newline + 1) ? { offset: base + start, reason: decoded } : undefined;
        const offset = base + start;
        start = newline + 1;
        // Counted as returned before the yield: a caller that stops at this record has had it.
        this.#position = base + start;
        yield { record: decoded, offset };
      }
      buffer = buffer.subarray(start);
      base += start;
      // A record never starts with a zero byte: the rest is preallocated free space.
      if (buffer.length > 0 && buffer[0] === 0) return undefined;
    }
  }

  async sealedEndProblem(): Promise<string | undefined> {
    const byte = Buffer.alloc(1);
    const count = await this.#handle.read(byte, 0, 1, this.#position);
    return count === 1 && byte[0] !== 0 ? `a newer segment exists, but this one does not end in a whole record at byte ${this.#position}` : undefined;
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

function hasWholeRecordAfter(buffer: Buffer, from: number): boolean {
  let start = from;
  for (let newline = findNewline(buffer, start); newline !== -1; newline = findNewline(buffer, start)) {
    if (typeof decodeLine(buffer, start, newline) !== "string") return true;
    start = newline + 1;
  }
  return false;
}

/** A retired segment, read from its backup: sealed, so every line must be a whole record. */
export async function openBackupCursor(fs: FileSystem, backup: BackupFile): Promise<SegmentCursor | undefined> {
  const lines = readBackupLines(fs, backup.path);
  const first = await lines.next();
  if (first.done === true || "problem" in first.value || first.value.record.op !== "header") {
    // A segment retired without a whole header never held a record (as in the folder): skipped, like an empty one.
    const problem = first.done === true || !("problem" in first.value) ? undefined : first.value;
    const neverHeld = problem !== undefined && problem.notGzip !== true && (await lines.next()).done === true;
    await lines.return(undefined);
    if (problem !== undefined && !neverHeld) throw damaged(backup.path, problem.offset, problem.problem);
    return undefined;
  }
  const header = first.value.record;
  let finished = false;
  return {
    fileNumber: backup.fileNumber,
    path: backup.path,
    header,
    async *available() {
      if (finished) return;
      for await (const line of lines) {
        if ("problem" in line) throw damaged(backup.path, line.offset, line.problem);
        yield { record: line.record, offset: line.offset };
      }
      finished = true;
    },
    sealedEndProblem: async () => undefined,
    close: async () => {
      await lines.return(undefined);
    },
  };
}

function damaged(path: string, offset: number, problem: string): CorruptionError {
  return new CorruptionError(`The backup ${path} is damaged at byte ${offset} of its decompressed content: ${problem}.`, { path, offset });
}
