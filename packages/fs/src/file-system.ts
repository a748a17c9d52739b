/**
 * The seam between the store and the disk. Everything that persists store data goes through a
 * FileSystem, so the same code runs on the real disk and on the simulated one that can lose power.
 * Errors are errno-style (`code` = `ENOENT`, `EEXIST`, `EIO`, `ENOSPC`, ...) on both.
 */

/**
 * - `r`: read an existing file.
 * - `r+`: read and write an existing file.
 * - `a`: append (O_APPEND), creating the file if missing.
 * - `wx`: create a new file for writing; fails with EEXIST if it exists.
 * - `w`: create or truncate a file for writing.
 */
export type OpenFlags = "r" | "r+" | "a" | "wx" | "w";

export interface FileStat {
  readonly size: number;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly mtimeMs: number;
}

export interface FileHandle {
  readonly path: string;
  /**
   * Writes up to `length` bytes of `data` starting at `offset`, at file `position` (`null`: at the
   * current end for an append handle). Returns how many bytes were written, which may be fewer than
   * asked: use `writeAll` unless you handle short writes yourself.
   */
  write(data: Uint8Array, offset: number, length: number, position: number | null): Promise<number>;
  /** Reads up to `length` bytes into `into` at `offset` from file `position`; 0 at end of file. */
  read(into: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  size(): Promise<number>;
  truncate(length: number): Promise<void>;
  /** fsync(2): data and metadata durable. */
  sync(): Promise<void>;
  /** fdatasync(2): data (and the size needed to read it) durable. */
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export interface FileSystem {
  open(path: string, flags: OpenFlags): Promise<FileHandle>;
  readFile(path: string): Promise<Uint8Array>;
  /** `undefined` when nothing exists at `path`. */
  stat(path: string): Promise<FileStat | undefined>;
  /** Names in a folder, sorted. */
  readdir(path: string): Promise<string[]>;
  /** Creates a folder and its parents; no error if it exists. */
  mkdir(path: string): Promise<void>;
  /** Atomically replaces `to` with `from` (durable only after `fsyncDir`). */
  rename(from: string, to: string): Promise<void>;
  /** Creates a second name for a file; fails with EEXIST if `to` exists (atomic test-and-set). */
  link(existing: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes the folder's entries (creations, renames, unlinks) durable. */
  fsyncDir(path: string): Promise<void>;
}
