import type { FileHandle, FileSystem } from "@store/fs";
import { decodeLine, findNewline, findRecordEnd, type LogRecord } from "./format.js";

/** A damaged stretch of a file: from `offset`, `bytes` long, and why it is not a record. */
export interface Damage {
  readonly offset: number;
  readonly bytes: number;
  readonly reason: string;
}

export interface ScanResult {
  readonly path: string;
  readonly size: number;
  /**
   * Where the data ends: the file size less any trailing zeros. Zeros after the last record are
   * preallocated free space (segments are extended with synced zeros ahead of their records).
   */
  readonly dataEnd: number;
  /** Offset just past the last whole record before the first damage (or the file size if none). */
  readonly wholeEnd: number;
  /**
   * The damage, in order. With `visitAfterDamage` off, at most one entry: the first damage and
   * everything after it. `followedByRecords` tells a torn tail (false) from corruption (true).
   */
  readonly damage: readonly Damage[];
  readonly followedByRecords: boolean;
}

export interface ScanOptions {
  /** Bytes read per read call. */
  readonly chunkBytes?: number;
  /**
   * Keep visiting whole records after damage (salvage), instead of only checking that some exist.
   * A function is asked at the first damage, when the caller has seen the records before it.
   */
  readonly visitAfterDamage?: boolean | (() => boolean);
}

export type RecordVisitor<R = LogRecord> = (record: R, offset: number, end: number) => void;
export type LineDecoder<R> = (bytes: Buffer, start: number, end: number) => R | string;

const CHUNK_BYTES_DEFAULT = 4 * 1024 * 1024;

/** A whole record and where its line sits in the file. */
export interface LocatedRecord {
  readonly record: LogRecord;
  readonly offset: number;
  readonly end: number;
}

/**
 * Reads a log file front to back in large chunks and yields the whole records of each chunk. A line
 * that fails its checksum or does not parse, or a last line without its newline, is damage. The
 * reader never throws on content: the generator's return value reports the damage, and the caller
 * decides whether it is a torn tail (nothing whole after it: an interrupted append) or corruption.
 */
export async function* readRecordChunks(fs: FileSystem, path: string, options: ScanOptions = {}): AsyncGenerator<LocatedRecord[], ScanResult> {
  let records: LocatedRecord[] = [];
  const scanner = new LineScanner<LogRecord>(path, options.visitAfterDamage ?? false, decodeLine, (record, offset, end) => {
    records.push({ record, offset, end });
  });
  const chunks = readChunks(fs, path, options.chunkBytes ?? CHUNK_BYTES_DEFAULT);
  try {
    for (;;) {
      const next = await chunks.next();
      if (next.done === true) return scanner.finish(next.value);
      scanner.scanLines(next.value.buffer, next.value.base);
      if (records.length > 0) yield records;
      records = [];
    }
  } finally {
    // A caller that stops early (break, throw) returns this generator: close the file now, not at GC.
    await closeEarly(chunks);
  }
}

/**
 * The same with a callback per record and no per-record allocation: the path opening a store takes.
 * `decode` turns a line into a record (default `decodeLine`).
 */
export async function scanFile<R = LogRecord>(
  fs: FileSystem,
  path: string,
  visit: RecordVisitor<R>,
  options: ScanOptions & { decode?: LineDecoder<R> } = {},
): Promise<ScanResult> {
  const decode = options.decode ?? (decodeLine as LineDecoder<R>);
  const scanner = new LineScanner<R>(path, options.visitAfterDamage ?? false, decode, visit);
  const chunks = readChunks(fs, path, options.chunkBytes ?? CHUNK_BYTES_DEFAULT);
  try {
    for (;;) {
      const next = await chunks.next();
      if (next.done === true) return scanner.finish(next.value);
      scanner.scanLines(next.value.buffer, next.value.base);
    }
  } finally {
    // A visitor that throws (a record out of order) must not leave the file open.
    await closeEarly(chunks);
  }
}

/** Returns a generator (runs its finally blocks); a no-op if it has finished. */
export async function closeEarly(generator: AsyncGenerator<unknown, unknown>): Promise<void> {
  await generator.return(undefined);
}

interface Chunk {
  readonly buffer: Buffer;
  /** File offset of buffer[0]. */
  readonly base: number;
}

interface FileEnd {
  readonly size: number;
  readonly dataEnd: number;
  /** Bytes after the last newline, and where they start. */
  readonly rest: Buffer;
  readonly restOffset: number;
}

/**
 * The file in chunks that end at a newline: the bytes after a chunk's last newline are carried to
 * the front of the next chunk (usually less than one record). The next chunk is read while the
 * caller scans this one, so the disk (or page cache) and the scan overlap instead of taking turns;
 * each chunk is read into a buffer with room in front for the carried bytes, so nothing big is copied.
 */
async function* readChunks(fs: FileSystem, path: string, chunkBytes: number): AsyncGenerator<Chunk, FileEnd> {
  const handle = await fs.open(path, "r");
  let next: Promise<{ buffer: Buffer; count: number }> | undefined;
  try {
    const size = await handle.size();
    const dataEnd = await findDataEnd(handle, size);
    const readAt = async (position: number): Promise<{ buffer: Buffer; count: number }> => {
      const buffer = Buffer.allocUnsafe(CARRY_ROOM_BYTES + Math.min(chunkBytes, dataEnd - position));
      return { buffer, count: await handle.read(buffer, CARRY_ROOM_BYTES, buffer.length - CARRY_ROOM_BYTES, position) };
    };
    let carry: Buffer = Buffer.alloc(0);
    let position = 0;
    next = position < dataEnd ? readAt(position) : undefined;
    while (next !== undefined) {
      const { buffer, count } = await next;
      next = undefined;
      if (count === 0) break;
      const base = position - carry.length;
      position += count;
      if (position < dataEnd) next = readAt(position);
      const filled = withCarry(carry, buffer, count);
      const lastNewline = filled.lastIndexOf(0x0a);
      carry = filled.subarray(lastNewline + 1);
      if (lastNewline >= 0) yield { buffer: filled.subarray(0, lastNewline + 1), base };
    }
    return { size, dataEnd, rest: carry, restOffset: position - carry.length };
  } finally {
    // A caller that stops early leaves a read in flight: let it land before the file is closed.
    await next?.catch(() => undefined);
    await handle.close();
  }
}

/** Room kept in front of each chunk for the bytes carried from the one before (a record or less). */
const CARRY_ROOM_BYTES = 64 * 1024;

/** The carried bytes followed by the `count` bytes read into `buffer` after its room. */
function withCarry(carry: Buffer, buffer: Buffer, count: number): Buffer {
  const read = buffer.subarray(CARRY_ROOM_BYTES, CARRY_ROOM_BYTES + count);
  if (carry.length > CARRY_ROOM_BYTES) return Buffer.concat([carry, read]);
  carry.copy(buffer, CARRY_ROOM_BYTES - carry.length);
  return buffer.subarray(CARRY_ROOM_BYTES - carry.length, CARRY_ROOM_BYTES + count);
}

const ZERO_BLOCK = Buffer.alloc(64 * 1024);

/** The offset just past the last non-zero byte, reading backwards a block at a time. */
export async function findDataEnd(handle: FileHandle, size: number): Promise<number> {
  const block = Buffer.allocUnsafe(ZERO_BLOCK.length);
  for (let blockEnd = size; blockEnd > 0; ) {
    const blockStart = Math.max(0, blockEnd - block.length);
    const length = blockEnd - blockStart;
    const count = await handle.read(block, 0, length, blockStart);
    const bytes = block.subarray(0, count);
    if (!bytes.equals(ZERO_BLOCK.subarray(0, count))) {
      let last = count - 1;
      while (bytes[last] === 0) last -= 1;
      return blockStart + last + 1;
    }
    blockEnd = blockStart;
  }
  return 0;
}

class LineScanner<R> {
  readonly #path: string;
  readonly #visitAfterDamage: boolean | (() => boolean);
  #decidedVisitAfterDamage: boolean | undefined;
  readonly #decode: LineDecoder<R>;
  readonly #visit: RecordVisitor<R>;
  #wholeEnd = 0;
  #damage: Damage[] = [];
  #openDamage: { offset: number; reason: string } | undefined;
  #followedByRecords = false;

  constructor(path: string, visitAfterDamage: boolean | (() => boolean), decode: LineDecoder<R>, visit: RecordVisitor<R>) {
    this.#path = path;
    this.#visitAfterDamage = visitAfterDamage;
    this.#decode = decode;
    this.#visit = visit;
  }

  /** Scans the lines of `buffer` (whole lines; it starts at file offset `base`). */
  scanLines(buffer: Buffer, base: number): void {
    let start = 0;
    for (let newline = findNewline(buffer, 0); newline !== -1; newline = findNewline(buffer, start)) {
      this.#scanLine(buffer, start, newline, base);
      start = newline + 1;
    }
  }

  finish({ size, dataEnd, rest, restOffset }: FileEnd): ScanResult {
    // Even if its bytes decode, a line without its newline is an append that did not finish; a
    // record accepted here would have the next append glued to it.
    if (rest.length > 0) this.#markDamage(restOffset, "the last line has no newline (an interrupted append)");
    this.#closeDamage(dataEnd);
    return { path: this.#path, size, dataEnd, wholeEnd: this.#wholeEnd, damage: this.#damage, followedByRecords: this.#followedByRecords };
  }

  #scanLine(buffer: Buffer, start: number, end: number, base: number): void {
    const decoded = this.#decode(buffer, start, end);
    if (typeof decoded !== "string") {
      this.#accept(decoded, base + start, base + end + 1);
      return;
    }
    // A damaged newline joins a whole record to the next line: find the record, so the damage is
    // placed at the newline and the record is not mistaken for part of a torn tail.
    const recordEnd = findRecordEnd(buffer, start, end, this.#decode);
    if (recordEnd === undefined) {
      this.#markDamage(base + start, decoded);
      return;
    }
    this.#accept(recordEnd.record, base + start, base + recordEnd.end + 1);
    this.#markDamage(base + recordEnd.end, "a record's newline is damaged");
    if (recordEnd.end + 1 < end) this.#scanLine(buffer, recordEnd.end + 1, end, base);
  }

  #accept(record: R, offset: number, end: number): void {
    if (this.#openDamage === undefined && this.#damage.length === 0) {
      this.#visit(record, offset, end);
      this.#wholeEnd = end;
      return;
    }
    this.#followedByRecords = true;
    if (!this.#shouldVisitAfterDamage()) return;
    this.#closeDamage(offset);
    this.#visit(record, offset, end);
  }

  #shouldVisitAfterDamage(): boolean {
    const policy = this.#visitAfterDamage;
    this.#decidedVisitAfterDamage ??= typeof policy === "function" ? policy() : policy;
    return this.#decidedVisitAfterDamage;
  }

  #markDamage(offset: number, reason: string): void {
    this.#openDamage ??= { offset, reason };
  }

  #closeDamage(end: number): void {
    if (this.#openDamage === undefined) return;
    const { offset, reason } = this.#openDamage;
    this.#damage.push({ offset, bytes: end - offset, reason });
    this.#openDamage = undefined;
  }
}

