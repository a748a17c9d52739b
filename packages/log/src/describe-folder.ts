import { join } from "node:path";
import { StoreError, isTempName, lockHolderAlive, nodeFileSystem, nodeProcessProbe, readLockOwner, type FileSystem, type LockOwner, type ProcessProbe } from "@store/fs";
import { listBackups } from "./backup-files.js";
import { DAMAGED_FOLDER, baseName, listDataFiles, segmentName } from "./files.js";
import { decodeLine, findNewline, type LogRecord } from "./format.js";
import { findDataEnd } from "./reader.js";

export interface FolderFile {
  readonly name: string;
  /** The file's size. */
  readonly bytes: number;
}

/** A segment, whose file may run on in preallocated zeros past its records. */
export interface SegmentFile extends FolderFile {
  /** Where its data ends: the size less trailing zeros. */
  readonly dataBytes: number;
}

/** What is in a data folder, from its listing and a few small reads: no record is replayed. */
export interface FolderDescription {
  readonly dir: string;
  /** The newest base, if the store was ever compacted. */
  readonly base: (FolderFile & { readonly seq: number | null }) | null;
  /** The live segments, oldest first. */
  readonly segments: readonly SegmentFile[];
  /** The live files' data: the base and the segments' data (what `totalBytes` of an open writer's `stats()` counts). */
  readonly liveDataBytes: number;
  /** When the newest base was written (its header's time): the last compaction. */
  readonly lastCompactionAtMs: number | null;
  /** `backups/`, oldest compaction first. */
  readonly backups: ReadonlyArray<FolderFile & { readonly compaction: number }>;
  /** Files a salvage open kept in `damaged/`. */
  readonly damaged: readonly FolderFile[];
  /** Data files older than the base (a compaction in progress or interrupted) and temp files. */
  readonly leftovers: readonly string[];
  /**
   * The LOCK's holder; `alive` is whether that process runs (false: a dead holder, which the next
   * writer takes over), or null when it is on another host and cannot be told from here.
   */
  readonly lock: { readonly owner: LockOwner; readonly alive: boolean | null } | null;
}

export interface DescribeOptions {
  readonly fs?: FileSystem;
  readonly processProbe?: ProcessProbe;
}

const HEAD_BYTES = 4096;

/** Describes the files of a data folder, read-only and without the lock. */
export async function describeFolder(dir: string, options: DescribeOptions = {}): Promise<FolderDescription> {
  const fs = options.fs ?? nodeFileSystem;
  const stat = await fs.stat(dir);
  if (stat?.isDirectory !== true) throw new StoreError("STORE_IO", `There is no data folder at ${dir}. Check the path.`, { path: dir });
  const files = await listDataFiles(fs, dir);
  const baseNumber = files.bases.at(-1);
  const sized = async (name: string, folder = dir): Promise<FolderFile> => ({ name, bytes: (await fs.stat(join(folder, name)))?.size ?? 0 });
  const header = baseNumber === undefined ? undefined : await firstRecord(fs, join(dir, baseName(baseNumber)));
  const base = baseNumber === undefined ? null : { ...(await sized(baseName(baseNumber))), seq: header !== undefined && "seq" in header ? header.seq : null };
  const segments = await Promise.all(files.segments.filter((number) => number >= (baseNumber ?? 0)).map(async (number) => withDataEnd(fs, dir, await sized(segmentName(number)))));
  const leftovers = [
    ...files.bases.filter((number) => number !== baseNumber).map(baseName),
    ...files.segments.filter((number) => number < (baseNumber ?? 0)).map(segmentName),
    ...files.temps,
  ];
  const backups = await Promise.all((await listBackups(fs, dir)).map(async (backup) => ({ ...(await sized(backup.name, join(dir, "backups"))), compaction: backup.compaction })));
  const damagedNames = await fs.readdir(join(dir, DAMAGED_FOLDER)).catch(() => [] as string[]);
  const damaged = await Promise.all(damagedNames.filter((name) => !isTempName(name)).map((name) => sized(name, join(dir, DAMAGED_FOLDER))));
  const owner = await readLockOwner(fs, dir).catch(() => undefined);
  return {
    dir,
    base,
    segments,
    liveDataBytes: (base?.bytes ?? 0) + segments.reduce((sum, segment) => sum + segment.dataBytes, 0),
    lastCompactionAtMs: header !== undefined && header.op === "header" ? header.ts : null,
    backups,
    damaged,
    leftovers,
    lock: owner === undefined ? null : { owner, alive: lockHolderAlive(owner, options.processProbe ?? nodeProcessProbe) },
  };
}

async function withDataEnd(fs: FileSystem, dir: string, file: FolderFile): Promise<SegmentFile> {
  try {
    const handle = await fs.open(join(dir, file.name), "r");
    try {
      return { ...file, dataBytes: await findDataEnd(handle, await handle.size()) };
    } finally {
      await handle.close();
    }
  } catch {
    return { ...file, dataBytes: file.bytes }; // retired by a compaction meanwhile
  }
}

async function firstRecord(fs: FileSystem, path: string): Promise<LogRecord | undefined> {
  try {
    const handle = await fs.open(path, "r");
    try {
      const head = Buffer.alloc(HEAD_BYTES);
      const count = await handle.read(head, 0, HEAD_BYTES, 0);
      const newline = findNewline(head.subarray(0, count), 0);
      if (newline === -1) return undefined;
      const decoded = decodeLine(head, 0, newline);
      return typeof decoded === "string" ? undefined : decoded;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined; // retired by a compaction meanwhile: described as it was listed
  }
}
