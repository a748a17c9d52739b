import type { FileHandle, FileSystem } from "@store/fs";

/** Wraps the FileSystem a store is opened with: the identity, or a deliberately broken build. */
export type FsWrapper = (fs: FileSystem) => FileSystem;

export const unchangedFs: FsWrapper = (fs) => fs;

/**
 * Mutation: folder fsyncs do nothing, as if the code forgot to fsync the folder after a create or
 * a rename. A power cut can then undo the new names, and `power-cut` must notice.
 */
export const skipFolderFsync: FsWrapper = (fs) => ({
  ...delegate(fs),
  fsyncDir: async () => undefined,
});

/**
 * Mutation: `datasync` (the log's group-commit flush) succeeds without flushing, as if writes were
 * acknowledged before the flush. A power cut then drops acknowledged records, and `power-cut` must
 * notice. `sync` (lock and atomic file writes) is left alone, to aim at the write path only.
 */
export const acknowledgeBeforeFlush: FsWrapper = (fs) => ({
  ...delegate(fs),
  open: async (path, flags) => noSyncHandle(await fs.open(path, flags)),
});

/** The broken builds `pnpm torture --mutate NAME` runs, to show that the scenarios notice. */
export const MUTATIONS: Readonly<Record<string, FsWrapper>> = {
  "skip-folder-fsync": skipFolderFsync,
  "ack-before-flush": acknowledgeBeforeFlush,
};

function delegate(fs: FileSystem): FileSystem {
  return {
    open: (path, flags) => fs.open(path, flags),
    readFile: (path) => fs.readFile(path),
    stat: (path) => fs.stat(path),
    readdir: (path) => fs.readdir(path),
    mkdir: (path) => fs.mkdir(path),
    rename: (from, to) => fs.rename(from, to),
    link: (existing, to) => fs.link(existing, to),
    unlink: (path) => fs.unlink(path),
    fsyncDir: (path) => fs.fsyncDir(path),
  };
}

function noSyncHandle(handle: FileHandle): FileHandle {
  return {
    path: handle.path,
    write: (data, offset, length, position) => handle.write(data, offset, length, position),
    read: (into, offset, length, position) => handle.read(into, offset, length, position),
    size: () => handle.size(),
    truncate: (length) => handle.truncate(length),
    sync: () => handle.sync(),
    datasync: async () => undefined,
    close: () => handle.close(),
  };
}
