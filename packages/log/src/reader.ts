import type { FileSystem } from "@store/fs";
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
  /** Keep visiting whole records after damage (salvage), instead of only checking that some exist. */
  readonly visitAfterDamage?: boolean;
}

export type RecordVisitor = (record: LogRecord, offset: number, end: number) => void;

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
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES_DEFAULT;
  const handle = await fs.open(path, "r");
  const scanner = new LineScanner(path, options.visitAfterDamage ?? false);
  try {
    const size = await handle.size();
    let carry: Buffer = Buffer.alloc(0);
    let position = 0;
    while (position < size) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, size - position));
      const count = await handle.read(chunk, 0, chunk.length, position);
      if (count === 0) break;
      const buffer = carry.length === 0 ? chunk.subarray(0, count) : Buffer.concat([carry, chunk.subarray(0, count)]);
      const consumed = scanner.scanLines(buffer, position - carry.length);
      carry = buffer.subarray(consumed);
      position += count;
      const records = scanner.takeRecords();
      if (records.length > 0) yield records;
    }
    scanner.finish(carry, position - carry.length);
    return scanner.result(size);
  } finally {
    await handle.close();
  }
}

/** `readRecordChunks` with a callback per record: the fast path that opening a store uses. */
export async function scanFile(fs: FileSystem, path: string, visit: RecordVisitor, options: ScanOptions = {}): Promise<ScanResult> {
  const chunks = readRecordChunks(fs, path, options);
  for (;;) {
    const next = await chunks.next();
    if (next.done === true) return next.value;
    for (const { record, offset, end } of next.value) visit(record, offset, end);
  }
}

class LineScanner {
  readonly #path: string;
  readonly #visitAfterDamage: boolean;
  #records: LocatedRecord[] = [];
  #wholeEnd = 0;
  #damage: Damage[] = [];
  #openDamage: { offset: number; reason: string } | undefined;
  #followedByRecords = false;

  constructor(path: string, visitAfterDamage: boolean) {
    this.#path = path;
    this.#visitAfterDamage = visitAfterDamage;
  }

  takeRecords(): LocatedRecord[] {
    const records = this.#records;
    this.#records = [];
    return records;
  }

  /** Scans the whole lines of `buffer` (which starts at file offset `base`); returns bytes consumed. */
  scanLines(buffer: Buffer, base: number): number {
    let start = 0;
    for (let newline = findNewline(buffer, 0); newline !== -1; newline = findNewline(buffer, start)) {
      this.#scanLine(buffer, start, newline, base);
      start = newline + 1;
    }
    return start;
  }

  finish(rest: Buffer, base: number): void {
    // Even if its bytes decode, a line without its newline is an append that did not finish; a
    // record accepted here would have the next append glued to it.
    if (rest.length > 0) this.#markDamage(base, "the last line has no newline (an interrupted append)");
  }

  #scanLine(buffer: Buffer, start: number, end: number, base: number): void {
    const decoded = decodeLine(buffer, start, end);
    if (typeof decoded !== "string") {
      this.#accept(decoded, base + start, base + end + 1);
      return;
    }
    // A damaged newline joins a whole record to the next line: find the record, so the damage is
    // placed at the newline and the record is not mistaken for part of a torn tail.
    const recordEnd = findRecordEnd(buffer, start, end);
    if (recordEnd === undefined) {
      this.#markDamage(base + start, decoded);
      return;
    }
    this.#accept(recordEnd.record, base + start, base + recordEnd.end + 1);
    this.#markDamage(base + recordEnd.end, "a record's newline is damaged");
    if (recordEnd.end + 1 < end) this.#scanLine(buffer, recordEnd.end + 1, end, base);
  }

  result(size: number): ScanResult {
    this.#closeDamage(size);
    return { path: this.#path, size, wholeEnd: this.#wholeEnd, damage: this.#damage, followedByRecords: this.#followedByRecords };
  }

  #accept(record: LogRecord, offset: number, end: number): void {
    if (this.#openDamage === undefined && this.#damage.length === 0) {
      this.#records.push({ record, offset, end });
      this.#wholeEnd = end;
      return;
    }
    this.#followedByRecords = true;
    if (!this.#visitAfterDamage) return;
    this.#closeDamage(offset);
    this.#records.push({ record, offset, end });
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

