import { dirname } from "node:path";
import type { FileSystem } from "./file-system.js";
import { tempPathFor } from "./paths.js";
import { writeAll } from "./write-all.js";

export type Chunks = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Replaces the file at `path` so that after a crash at any point it holds the old content or the
 * new, never a mix or nothing: write a temp file in the same folder, fsync it, rename it over the
 * target, fsync the folder. Without the first fsync the renamed name can point at empty data after
 * power loss; without the folder fsync the rename itself can be undone.
 *
 * On failure the temp file is removed and the target is untouched.
 */
export interface AtomicReplaceOptions {
  /**
   * Also fdatasync after every this many bytes (default: only at the end). For large files: the
   * disk then writes back as it goes instead of in one long flush that other writers queue behind
   * (RocksDB's bytes_per_sync).
   */
  readonly syncEveryBytes?: number;
}

export async function atomicReplace(fs: FileSystem, path: string, content: Chunks, options: AtomicReplaceOptions = {}): Promise<void> {
  const tempPath = tempPathFor(path);
  const handle = await fs.open(tempPath, "wx");
  const syncEveryBytes = options.syncEveryBytes ?? Number.POSITIVE_INFINITY;
  try {
    try {
      let position = 0;
      let unsyncedBytes = 0;
      for await (const chunk of content instanceof Uint8Array ? [content] : content) {
        await writeAll(handle, chunk, position);
        position += chunk.length;
        unsyncedBytes += chunk.length;
        if (unsyncedBytes >= syncEveryBytes) {
          await handle.datasync();
          unsyncedBytes = 0;
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tempPath, path);
  } catch (error) {
    await fs.unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await fs.fsyncDir(dirname(path));
}

