import { promises as fsp } from "node:fs";
import type { FileHandle, FileStat, FileSystem, OpenFlags } from "./file-system.js";

class NodeFileHandle implements FileHandle {
  readonly path: string;
  readonly #handle: fsp.FileHandle;

  constructor(path: string, handle: fsp.FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  async write(data: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
    const { bytesWritten } = await this.#handle.write(data, offset, length, position);
    return bytesWritten;
  }

  async read(into: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const { bytesRead } = await this.#handle.read(into, offset, length, position);
    return bytesRead;
  }

  async size(): Promise<number> {
    return (await this.#handle.stat()).size;
  }

  truncate(length: number): Promise<void> {
    return this.#handle.truncate(length);
  }

  sync(): Promise<void> {
    return this.#handle.sync();
  }

  datasync(): Promise<void> {
    return this.#handle.datasync();
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

/** The real disk, through `node:fs/promises`. */
export class NodeFileSystem implements FileSystem {
  async open(path: string, flags: OpenFlags): Promise<FileHandle> {
    return new NodeFileHandle(path, await fsp.open(path, flags, 0o644));
  }

  async readFile(path: string): Promise<Uint8Array> {
    return fsp.readFile(path);
  }

  async stat(path: string): Promise<FileStat | undefined> {
    try {
      const stats = await fsp.stat(path);
      return {
        size: stats.size,
        isFile: stats.isFile(),
        isDirectory: stats.isDirectory(),
        mtimeMs: stats.mtimeMs,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async readdir(path: string): Promise<string[]> {
    return (await fsp.readdir(path)).sort();
  }

  async mkdir(path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true });
  }

  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to);
  }

  link(existing: string, to: string): Promise<void> {
    return fsp.link(existing, to);
  }

  unlink(path: string): Promise<void> {
    return fsp.unlink(path);
  }

  async fsyncDir(path: string): Promise<void> {
    const handle = await fsp.open(path, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** The process-wide real file system. */
export const nodeFileSystem: FileSystem = new NodeFileSystem();
