import { errnoError, type FileHandle } from "@store/fs";
import type { DiskCore } from "./core.js";
import type { Inode } from "./model.js";

export interface HandleMode {
  readonly readable: boolean;
  readonly writable: boolean;
  /** O_APPEND: every write goes at the end, whatever position is asked (as Linux does). */
  readonly append: boolean;
}

/** An open file on a simulated disk. */
export class SimulatedFileHandle implements FileHandle {
  readonly path: string;
  readonly #core: DiskCore;
  readonly #inode: Inode;
  readonly #mode: HandleMode;
  #closed = false;
  /** The file position used by writes at position `null` on a handle without O_APPEND. */
  #cursor = 0;

  constructor(core: DiskCore, path: string, inode: Inode, mode: HandleMode) {
    this.path = path;
    this.#core = core;
    this.#inode = inode;
    this.#mode = mode;
    core.openInodes.set(inode, (core.openInodes.get(inode) ?? 0) + 1);
  }

  async write(data: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
    checkRange(data, offset, length, "write");
    if (position !== null) checkPosition(position, "write");
    this.#assertUsable("write", this.#mode.writable);
    this.#core.beginMutation();
    let bytes = data.subarray(offset, offset + length);
    const late = this.#core.lateWrites;
    if (late !== undefined) {
      // In flight, as on libuv's thread pool: the bytes are taken now, they land some turns later
      // (after writes issued later, maybe), and not at all if the power goes out meanwhile.
      bytes = new Uint8Array(bytes);
      await this.#core.writeLatency(late);
      this.#core.assertPower();
    }
    const fault = this.#core.failIfFaulted("write", "write", this.path);
    const inode = this.#inode;
    const at = this.#mode.append ? inode.current.size : (position ?? this.#cursor);
    const asked = fault === "short-write" ? Math.ceil(length / 2) : length;
    const growthRoom = this.#core.freeBytes() + inode.current.size - at;
    const count = Math.max(0, Math.min(asked, growthRoom));
    if (count === 0 && length > 0) throw errnoError("ENOSPC", "write", this.path);
    inode.write(at, bytes.subarray(0, count), this.#core.nowMs);
    if (position === null && !this.#mode.append) this.#cursor += count;
    return count;
  }

  async read(into: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    checkRange(into, offset, length, "read");
    checkPosition(position, "read");
    this.#assertUsable("read", this.#mode.readable);
    this.#core.failIfFaulted("read", "read", this.path);
    return this.#inode.current.read(into, offset, length, position);
  }

  async size(): Promise<number> {
    this.#assertUsable("fstat", true);
    return this.#inode.current.size;
  }

  async truncate(length: number): Promise<void> {
    checkPosition(length, "truncate");
    this.#core.assertPower();
    if (this.#closed) throw errnoError("EBADF", "ftruncate", this.path);
    if (!this.#mode.writable) throw errnoError("EINVAL", "ftruncate", this.path);
    this.#core.beginMutation();
    this.#core.failIfFaulted("truncate", "ftruncate", this.path);
    if (length - this.#inode.current.size > this.#core.freeBytes()) throw errnoError("ENOSPC", "ftruncate", this.path);
    this.#inode.truncate(length, this.#core.nowMs);
  }

  async sync(): Promise<void> {
    this.#sync("fsync");
  }

  async datasync(): Promise<void> {
    this.#sync("fdatasync");
  }

  async close(): Promise<void> {
    this.#core.assertPower();
    if (this.#closed) return;
    this.#closed = true;
    const count = (this.#core.openInodes.get(this.#inode) ?? 1) - 1;
    if (count === 0) this.#core.openInodes.delete(this.#inode);
    else this.#core.openInodes.set(this.#inode, count);
  }

  #sync(syscall: string): void {
    this.#assertUsable(syscall, true);
    this.#core.beginMutation();
    try {
      this.#core.failIfFaulted("sync", syscall, this.path);
    } catch (error) {
      this.#inode.failSync();
      throw error;
    }
    this.#inode.sync();
  }

  #assertUsable(syscall: string, allowedByMode: boolean): void {
    this.#core.assertPower();
    if (this.#closed || !allowedByMode) throw errnoError("EBADF", syscall, this.path);
  }
}

function checkRange(buffer: Uint8Array, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > buffer.length) {
    throw new RangeError(`${what}: offset ${offset} and length ${length} do not fit a buffer of ${buffer.length} bytes`);
  }
}

function checkPosition(position: number, what: string): void {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new RangeError(`${what}: position must be a non-negative integer, got ${String(position)}`);
  }
}
