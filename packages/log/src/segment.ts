import { dirname } from "node:path";
import { StoreError, writeAll, type FileHandle, type FileSystem } from "@store/fs";
import { encodeRecord, headerRecord } from "./format.js";
import { segmentPath } from "./files.js";
import type { SyncMode } from "./options.js";

/**
 * The segment new records are appended to, through one long-lived O_APPEND descriptor (so that after
 * a failed append is cut off, the next one lands at the new end, not past a hole of zeros).
 * An append either lands whole or is cut back off: a failed write (disk full, EIO) leaves no partial
 * record behind, so the next append does not follow garbage.
 */
export class ActiveSegment {
  readonly fileNumber: number;
  readonly path: string;
  readonly #handle: FileHandle;
  #size: number;

  private constructor(fileNumber: number, path: string, handle: FileHandle, size: number) {
    this.fileNumber = fileNumber;
    this.path = path;
    this.#handle = handle;
    this.#size = size;
  }

  /** Creates segment `fileNumber` with its header and makes both the file and its name durable. */
  static async create(fs: FileSystem, dir: string, fileNumber: number, seqBefore: number, sync: SyncMode): Promise<ActiveSegment> {
    const path = segmentPath(dir, fileNumber);
    const header = encodeRecord(headerRecord("segment", seqBefore, Date.now(), sync));
    const creator = await fs.open(path, "wx");
    try {
      await writeAll(creator, header, 0);
      await creator.datasync();
    } finally {
      await creator.close();
    }
    await fs.fsyncDir(dirname(path));
    return ActiveSegment.reopen(fs, dir, fileNumber, header.length);
  }

  /** Continues an existing segment whose content up to `size` is whole (recovery cut any torn tail). */
  static async reopen(fs: FileSystem, dir: string, fileNumber: number, size: number): Promise<ActiveSegment> {
    const path = segmentPath(dir, fileNumber);
    return new ActiveSegment(fileNumber, path, await fs.open(path, "a"), size);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Appends `bytes` (whole records). On failure the file is truncated back to where it was; if even
   * that fails the error is a STORE_FAILED StoreError: the file may now end in a partial record.
   */
  async append(bytes: Uint8Array): Promise<void> {
    const sizeBefore = this.#size;
    try {
      // O_APPEND puts it at the end, which is sizeBefore: a failed append was cut back off.
      await writeAll(this.#handle, bytes, sizeBefore);
    } catch (error) {
      try {
        await this.#handle.truncate(sizeBefore);
      } catch (truncateError) {
        throw new StoreError(
          "STORE_FAILED",
          `An append to ${this.path} failed and the partial record could not be cut off: ${describe(truncateError)}. ` +
            `Reopen the store: recovery cuts it.`,
          { path: this.path, offset: sizeBefore, cause: error },
        );
      }
      throw error;
    }
    this.#size = sizeBefore + bytes.length;
  }

  datasync(): Promise<void> {
    return this.#handle.datasync();
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
