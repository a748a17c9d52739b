import type { FileSystem } from "@store/fs";
import { delegatingFs, delegatingHandle } from "@store/testkit";

/** Wraps the FileSystem a store is opened with: the identity, or a deliberately broken build. */
export type FsWrapper = (fs: FileSystem) => FileSystem;

export const unchangedFs: FsWrapper = (fs) => fs;

/**
 * Mutation: folder fsyncs do nothing, as if the code forgot to fsync the folder after a create or
 * a rename. A power cut can then undo the new names, and `power-cut` must notice.
 */
export const skipFolderFsync: FsWrapper = (fs) => ({
  ...delegatingFs(fs),
  fsyncDir: async () => undefined,
});

/**
 * Mutation: `datasync` (the log's group-commit flush) succeeds without flushing, as if writes were
 * acknowledged before the flush. A power cut then drops acknowledged records, and `power-cut` must
 * notice. `sync` (lock and atomic file writes) is left alone, to aim at the write path only.
 */
export const acknowledgeBeforeFlush: FsWrapper = (fs) => ({
  ...delegatingFs(fs),
  open: async (path, flags) => ({ ...delegatingHandle(await fs.open(path, flags)), datasync: async () => undefined }),
});

/**
 * Mutation: each folder is listed once and that listing kept, as if a reader never looked again
 * after a compaction retired the files it listed. `read-only-race` must notice.
 */
export const staleListing: FsWrapper = (fs) => {
  const listings = new Map<string, Promise<string[]>>();
  return {
    ...delegatingFs(fs),
    readdir: (path) => {
      const listing = listings.get(path) ?? fs.readdir(path);
      listings.set(path, listing);
      return listing;
    },
  };
};

/** Names a store may find in its own folder; everything else is someone else's. */
const STORE_NAME = /^(\d+\.(log|base)|LOCK(\.takeover)?|backups|damaged|\..*\.tmp)$/;

/**
 * Mutation: listings leave out files that are not the store's, as if opening never looked at
 * what else a folder holds. A folder of someone else's files then looks empty, and
 * `foreign-folder` must notice the store written into it.
 */
export const hideForeignFiles: FsWrapper = (fs) => ({
  ...delegatingFs(fs),
  readdir: async (path) => (await fs.readdir(path)).filter((name) => STORE_NAME.test(name)),
});

/** The broken builds `pnpm torture --mutate NAME` runs, to show that the scenarios notice. */
export const MUTATIONS: Readonly<Record<string, FsWrapper>> = {
  "skip-folder-fsync": skipFolderFsync,
  "ack-before-flush": acknowledgeBeforeFlush,
  "stale-listing": staleListing,
  "hide-foreign-files": hideForeignFiles,
};
