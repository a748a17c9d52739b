import { dirname } from "node:path";
import { StoreError, tempPathFor, writeAll, type FileHandle, type FileSystem } from "@store/fs";
import { encodeRecord, headerRecord } from "./format.js";
import { segmentPath } from "./files.js";
import type { SyncMode } from "./options.js";

/**
 * Zeros are written in small pieces: some kernels (ext4 with large folios) cache a large write as
 * one large folio, and every small overwrite of it then writes the whole folio back. Measured here
 * per 300-byte durable set: 64 KiB pieces, 22 KB written to the disk; 16 KiB, 7 KB; 4 KiB, 5 KB
 * (about what a plain append writes) but the many small writes slowed 64 writers by a quarter.
 */
const ZERO_CHUNK = Buffer.alloc(16 * 1024);

/**
 * The segment new records are appended to, through one long-lived descriptor, each group written
 * at the end of the data with pwrite(2).
 *
 * Ahead of the data, the file is extended with zeros that are already fdatasync'ed
 * (`preallocateBytes` at a time, in the background). A record written over them changes no file
 * size, so its fdatasync has no metadata to commit: the reason a reused SQLite WAL or an LMDB map
 * flushes faster than an append. Recovery treats trailing zeros as free space (docs/format.md).
 *
 * An append either lands whole or is cut back off: a failed write (disk full, EIO) is truncated
 * away, so the next append does not follow garbage.
 */
export class ActiveSegment {
  readonly fileNumber: number;
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #preallocateBytes: number;
  /** End of the records. */
  #size: number;
  /** End of the file: records, then synced zeros. */
  #fileSize: number;
  /** End of the record writes issued so far (some may still be in flight). */
  #writeEnd: number;
  #extending: Promise<void> | undefined;
  /** The one zero page being written, if any: records must not be written over it meanwhile. */
  #zeroWrite: { readonly start: number; readonly done: Promise<void> } | undefined;

  private constructor(fileNumber: number, path: string, handle: FileHandle, size: number, fileSize: number, preallocateBytes: number) {
    this.fileNumber = fileNumber;
    this.path = path;
    this.#handle = handle;
    this.#size = size;
    this.#writeEnd = size;
    this.#fileSize = Math.max(size, fileSize);
    this.#preallocateBytes = preallocateBytes;
  }

  /**
   * Creates segment `fileNumber` with its header and makes both the file and its name durable. The
   * header is written and fdatasync'ed under a temp name, then linked to the segment's name (link(2)
   * fails if the name exists, as O_EXCL would): a file with a segment's name always starts with a
   * whole header, even after a crash, so one that does not is not ours (docs/format.md).
   */
  static async create(fs: FileSystem, dir: string, fileNumber: number, seqBefore: number, sync: SyncMode, preallocateBytes: number): Promise<ActiveSegment> {
    const path = segmentPath(dir, fileNumber);
    const header = encodeRecord(headerRecord("segment", seqBefore, Date.now(), sync));
    const tempPath = tempPathFor(path);
    try {
      const creator = await fs.open(tempPath, "wx");
      try {
        await writeAll(creator, header, 0);
        await creator.datasync();
      } finally {
        await creator.close();
      }
      await fs.link(tempPath, path);
    } finally {
      await fs.unlink(tempPath).catch(() => undefined);
    }
    await fs.fsyncDir(dirname(path));
    return ActiveSegment.reopen(fs, dir, fileNumber, header.length, preallocateBytes);
  }

  /** Continues an existing segment whose records up to `size` are whole; what follows is zeros. */
  static async reopen(fs: FileSystem, dir: string, fileNumber: number, size: number, preallocateBytes: number): Promise<ActiveSegment> {
    const path = segmentPath(dir, fileNumber);
    const handle = await fs.open(path, "r+");
    return new ActiveSegment(fileNumber, path, handle, size, await handle.size(), preallocateBytes);
  }

  /** Bytes of records (the file may be longer: preallocated zeros). */
  get size(): number {
    return this.#size;
  }

  /**
   * Writes `bytes` (whole records) after the last record. On failure the file is truncated back to
   * where the records ended; if even that fails the error is a STORE_FAILED StoreError: the file may
   * now end in a partial record.
   */
  async append(bytes: Uint8Array): Promise<void> {
    const sizeBefore = this.#size;
    const end = sizeBefore + bytes.length;
    // Claim the range before waiting: from now on the zero fill starts no page below `end`...
    this.#writeEnd = end;
    // ...and a page it is writing there now must land first: concurrent pwrites land in any order.
    while (this.#zeroWrite !== undefined && end > this.#zeroWrite.start) await this.#zeroWrite.done;
    try {
      await writeAll(this.#handle, bytes, sizeBefore);
    } catch (error) {
      this.#writeEnd = sizeBefore;
      await this.#cutBack(sizeBefore, error);
      throw error;
    }
    this.#size = sizeBefore + bytes.length;
    this.#fileSize = Math.max(this.#fileSize, this.#size);
  }

  /**
   * Starts extending the file with synced zeros when less than half a step of them is left. Runs in
   * the background; `onSyncFailure` hears a failed fdatasync, which must fail the store (a later
   * fdatasync on this file could succeed without the lost pages).
   */
  preallocate(onSyncFailure: (error: unknown) => void): void {
    if (this.#preallocateBytes === 0 || this.#extending !== undefined) return;
    if (this.#fileSize - this.#size >= this.#preallocateBytes / 2) return;
    this.#extending = this.#extend(onSyncFailure).finally(() => {
      this.#extending = undefined;
    });
  }

  datasync(): Promise<void> {
    return this.#handle.datasync();
  }

  /** Resolves when no zero fill is in flight (so the file's bytes stand still). */
  async settle(): Promise<void> {
    await this.#extending;
  }

  /**
   * Ends the segment for good: cuts the preallocated zeros off (a sealed segment holds only records)
   * and makes that durable. Does not close the descriptor.
   */
  async seal(): Promise<void> {
    await this.#extending;
    if (this.#fileSize > this.#size) {
      await this.#handle.truncate(this.#size);
      this.#fileSize = this.#size;
    }
    await this.#handle.datasync();
  }

  /** Waits for a zero fill in flight, then closes the descriptor. */
  async close(): Promise<void> {
    await this.#extending;
    await this.#handle.close();
  }

  /**
   * Writes zero pages from the end of the file on, one at a time and never below the records
   * written meanwhile (records may outrun the fill: they then simply extend the file).
   */
  async #extend(onSyncFailure: (error: unknown) => void): Promise<void> {
    const to = this.#fileSize + this.#preallocateBytes;
    try {
      for (let position = this.#fileSize; position < to; position += ZERO_CHUNK.length) {
        if (position < this.#writeEnd) continue;
        const done = writeAll(this.#handle, ZERO_CHUNK.subarray(0, Math.min(ZERO_CHUNK.length, to - position)), position);
        this.#zeroWrite = { start: position, done: done.catch(() => undefined) };
        await done;
      }
    } catch {
      return; // Disk full: records simply extend the file again; zeros already written are free space.
    } finally {
      this.#zeroWrite = undefined;
    }
    try {
      await this.#handle.datasync();
    } catch (error) {
      onSyncFailure(error);
      return;
    }
    this.#fileSize = Math.max(this.#fileSize, to);
  }

  async #cutBack(sizeBefore: number, error: unknown): Promise<void> {
    try {
      await this.#handle.truncate(sizeBefore);
      this.#fileSize = sizeBefore;
    } catch (truncateError) {
      throw new StoreError(
        "STORE_FAILED",
        `An append to ${this.path} failed and the partial record could not be cut off: ${describe(truncateError)}. ` +
          `Reopen the store: recovery cuts it.`,
        { path: this.path, offset: sizeBefore, cause: error },
      );
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
