import type { FileHandle, FileSystem, OpenFlags } from "@store/fs";
import { delegatingHandle } from "@store/testkit";

/**
 * Wraps a FileSystem to count what reaches it: renames per target (one per atomic file write),
 * operations in total, and the most atomic writes ever in flight at once (a temp file open until
 * its rename). `slowSyncMs` delays every fsync to widen races.
 */
export class CountingFs implements FileSystem {
  readonly renamesTo = new Map<string, number>();
  operations = 0;
  inFlight = 0;
  inFlightMax = 0;
  slowSync: (() => Promise<void>) | undefined;
  readonly #inner: FileSystem;

  constructor(inner: FileSystem) {
    this.#inner = inner;
  }

  renames(path: string): number {
    return this.renamesTo.get(path) ?? 0;
  }

  async open(path: string, flags: OpenFlags): Promise<FileHandle> {
    this.operations += 1;
    const handle = await this.#inner.open(path, flags);
    if (flags === "wx") {
      this.inFlight += 1;
      this.inFlightMax = Math.max(this.inFlightMax, this.inFlight);
    }
    const sync = async (): Promise<void> => {
      await this.slowSync?.();
      await handle.sync();
    };
    return { ...delegatingHandle(handle), sync, datasync: sync };
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.#inner.readFile(path);
  }

  stat(path: string): ReturnType<FileSystem["stat"]> {
    return this.#inner.stat(path);
  }

  readdir(path: string): Promise<string[]> {
    return this.#inner.readdir(path);
  }

  mkdir(path: string): Promise<void> {
    this.operations += 1;
    return this.#inner.mkdir(path);
  }

  async rename(from: string, to: string): Promise<void> {
    this.operations += 1;
    try {
      await this.#inner.rename(from, to);
      this.renamesTo.set(to, this.renames(to) + 1);
    } finally {
      this.inFlight -= 1;
    }
  }

  link(existing: string, to: string): Promise<void> {
    this.operations += 1;
    return this.#inner.link(existing, to);
  }

  unlink(path: string): Promise<void> {
    this.operations += 1;
    return this.#inner.unlink(path);
  }

  fsyncDir(path: string): Promise<void> {
    this.operations += 1;
    return this.#inner.fsyncDir(path);
  }
}
