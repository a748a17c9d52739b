import type { FileHandle, FileSystem } from "@store/fs";

export interface PinnedFiles {
  /** `fs`, except that opening a pinned file for reading gets the handle opened at pin time. */
  readonly fs: FileSystem;
  close(): Promise<void>;
}

/**
 * Opens `paths` for reading, all at once, right after they were listed. A read-only open takes no
 * lock, so a writer may compact meanwhile and unlink (retire) any of them; an open handle still
 * reads the file's bytes, so the files listed together are read together, however long reading
 * takes. A file gone before it could be pinned throws ENOENT: list again.
 */
export async function pinFiles(fs: FileSystem, paths: readonly string[]): Promise<PinnedFiles> {
  const handles = new Map<string, FileHandle>();
  const close = async (): Promise<void> => {
    for (const handle of handles.values()) await handle.close().catch(() => undefined);
    handles.clear();
  };
  try {
    for (const path of paths) handles.set(path, await fs.open(path, "r"));
  } catch (error) {
    await close();
    throw error;
  }
  const pinnedFs: FileSystem = {
    open: async (path, flags) => {
      const handle = handles.get(path);
      return handle !== undefined && flags === "r" ? borrowed(handle) : fs.open(path, flags);
    },
    readFile: (path) => fs.readFile(path),
    stat: (path) => fs.stat(path),
    readdir: (path) => fs.readdir(path),
    mkdir: (path) => fs.mkdir(path),
    rename: (from, to) => fs.rename(from, to),
    link: (existing, to) => fs.link(existing, to),
    unlink: (path) => fs.unlink(path),
    fsyncDir: (path) => fs.fsyncDir(path),
  };
  return { fs: pinnedFs, close };
}

/** The pinned handle, read-only; closing it leaves it open for the next reader. */
function borrowed(handle: FileHandle): FileHandle {
  const readOnly = (): Promise<never> => Promise.reject(new Error(`assertion failed: ${handle.path} is pinned for reading`));
  return {
    path: handle.path,
    read: (into, offset, length, position) => handle.read(into, offset, length, position),
    size: () => handle.size(),
    write: readOnly,
    truncate: readOnly,
    sync: readOnly,
    datasync: readOnly,
    close: async () => undefined,
  };
}
