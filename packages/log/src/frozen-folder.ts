import { StoreError, isErrno, type FileHandle, type FileSystem } from "@store/fs";
import { basePath, listDataFiles, segmentPath, type DataFiles } from "./files.js";
import { findDataEnd } from "./reader.js";

/** A live file of a frozen folder: its bytes up to `dataEnd` are what every read of the view sees. */
export interface FrozenFile {
  readonly path: string;
  readonly kind: "base" | "segment";
  readonly fileNumber: number;
  /** The file's data end when the folder was frozen (trailing zeros are preallocated free space). */
  readonly dataEnd: number;
}

export interface FrozenFolder {
  /** The folder as it was: `readdir` gives the listing, `open(path, "r")` of a live file its frozen bytes. */
  readonly fs: FileSystem;
  readonly dir: string;
  readonly files: DataFiles;
  /** The newest base, then the segments from its number on: what a reader replays. */
  readonly live: readonly FrozenFile[];
  close(): Promise<void>;
}

/** How many times the folder is listed again when a file listed is gone before it could be opened. */
const LISTINGS_MAX = 10;

/**
 * Freezes a data folder that another process may be writing and compacting, without its lock: lists
 * it, opens its live files at once (a compaction may unlink them later; an open handle still reads
 * them), and notes where each one's data ends. Through the returned `fs`, `readLog`, `scanFile` and
 * the rest see that instant however long they read and however often they read again: records
 * appended later lie past the frozen end. A record being appended at the instant of freezing is cut
 * short in the view, which readers treat as the torn tail they already expect at the end.
 */
export async function freezeFolder(fs: FileSystem, dir: string): Promise<FrozenFolder> {
  for (let listing = 1; ; listing += 1) {
    const names = await fs.readdir(dir);
    const files = await listDataFiles(fs, dir);
    try {
      return await openFrozen(fs, dir, names, files);
    } catch (error) {
      // A compaction retired a file between the listing and its opening: list again.
      if (!isErrno(error, "ENOENT")) throw error;
      if (listing === LISTINGS_MAX) {
        throw new StoreError("STORE_IO", `The files of ${dir} changed ${LISTINGS_MAX} times while they were opened (a writer compacting it). Try again.`, { path: dir, cause: error });
      }
    }
  }
}

async function openFrozen(fs: FileSystem, dir: string, names: readonly string[], files: DataFiles): Promise<FrozenFolder> {
  const baseNumber = files.bases.at(-1);
  const wanted: Array<Omit<FrozenFile, "dataEnd">> = [
    ...(baseNumber === undefined ? [] : [{ path: basePath(dir, baseNumber), kind: "base" as const, fileNumber: baseNumber }]),
    ...files.segments.filter((fileNumber) => fileNumber >= (baseNumber ?? 0)).map((fileNumber) => ({ path: segmentPath(dir, fileNumber), kind: "segment" as const, fileNumber })),
  ];
  const handles = new Map<string, { handle: FileHandle; dataEnd: number }>();
  const close = async (): Promise<void> => {
    for (const { handle } of handles.values()) await handle.close().catch(() => undefined);
    handles.clear();
  };
  const live: FrozenFile[] = [];
  try {
    for (const file of wanted) {
      const handle = await fs.open(file.path, "r");
      handles.set(file.path, { handle, dataEnd: 0 });
      const dataEnd = await findDataEnd(handle, await handle.size());
      handles.set(file.path, { handle, dataEnd });
      live.push({ ...file, dataEnd });
    }
  } catch (error) {
    await close();
    throw error;
  }
  const view: FileSystem = {
    open: async (path, flags) => {
      const frozen = handles.get(path);
      return frozen !== undefined && flags === "r" ? cappedHandle(frozen.handle, frozen.dataEnd) : fs.open(path, flags);
    },
    readFile: (path) => fs.readFile(path),
    stat: (path) => fs.stat(path),
    readdir: async (path) => (path === dir ? [...names] : fs.readdir(path)),
    mkdir: (path) => fs.mkdir(path),
    rename: (from, to) => fs.rename(from, to),
    link: (existing, to) => fs.link(existing, to),
    unlink: (path) => fs.unlink(path),
    fsyncDir: (path) => fs.fsyncDir(path),
  };
  return { fs: view, dir, files, live, close };
}

/** The frozen file, read-only, as if it ended at `end`; closing it leaves it open for the next reader. */
function cappedHandle(handle: FileHandle, end: number): FileHandle {
  const readOnly = (): Promise<never> => Promise.reject(new Error(`assertion failed: ${handle.path} is frozen for reading`));
  return {
    path: handle.path,
    read: async (into, offset, length, position) => (position >= end ? 0 : handle.read(into, offset, Math.min(length, end - position), position)),
    size: async () => end,
    write: readOnly,
    truncate: readOnly,
    sync: readOnly,
    datasync: readOnly,
    close: async () => undefined,
  };
}
