import { StoreError, acquireLock, isErrno, mkdirDurable, nodeProcessProbe, type DirectoryLock, type FileSystem } from "@store/fs";
import { retireFiles } from "./compaction.js";
import { assertStoreFolder } from "./folder-check.js";
import type { Keyspace } from "./keyspace.js";
import type { ResolvedOptions } from "./options.js";
import { recover, type RecoveredState, type RecoveryReport } from "./recovery.js";
import { LiveFiles } from "./live-files.js";
import { ActiveSegment } from "./segment.js";
import { removeStaleTempFiles } from "./stale-temps.js";

export interface OpenedFolder {
  readonly keyspace: Keyspace;
  readonly report: RecoveryReport;
  readonly lock: DirectoryLock | undefined;
  /** The segment to append to; undefined when read-only. */
  readonly segment: ActiveSegment | undefined;
  readonly highestFileNumber: number;
  /** The base and the sealed segments (every replayed segment when read-only). */
  readonly liveFiles: LiveFiles;
}

/**
 * How many times a read-only open lists the folder again when a file it listed is gone: a writer
 * compacting the folder retires the old base and segments (the new base then holds their records).
 */
const READ_ONLY_LISTINGS_MAX = 10;

/**
 * Opens a data folder: checks that it is a store (or empty, or new), takes the lock, recovers the
 * state, and gets the folder ready for appends. Read-only, it takes no lock and writes nothing.
 * Every failure is a StoreError: a file-system error is STORE_IO naming the file and the step.
 */
export async function openFolder(dir: string, options: ResolvedOptions): Promise<OpenedFolder> {
  const step = { name: "looking at the folder" };
  try {
    return options.readOnly ? await openReadOnly(dir, options, step) : await openWritable(dir, options, step);
  } catch (error) {
    throw asStoreError(error, dir, step.name);
  }
}

/**
 * Takes the lock and recovers; then removes temp files of interrupted atomic writes, finishes
 * retiring files an interrupted compaction left, and continues the last segment (or starts one).
 */
async function openWritable(dir: string, options: ResolvedOptions, step: { name: string }): Promise<OpenedFolder> {
  const { fs } = options;
  if (await isExistingFolder(fs, dir)) await assertStoreFolder(fs, dir);
  else {
    step.name = "creating the folder";
    await mkdirDurable(fs, dir);
  }
  step.name = "taking the lock";
  const lock = await acquireLock(fs, dir, options.processProbe === undefined ? {} : { probe: options.processProbe });
  try {
    step.name = "reading the log";
    const state = await recover(fs, dir, options);
    const { baseNumber } = state;
    step.name = "removing temp files of interrupted writes";
    await removeStaleTempFiles(fs, dir, options.processProbe ?? nodeProcessProbe);
    step.name = "retiring files an interrupted compaction left";
    await retireFiles(fs, dir, state.retiredLeftovers, baseNumber ?? 0, options.backupsMax);
    step.name = "starting the log segment";
    // A segment says in its header how it was synced: continue it only in the same mode.
    const last = state.lastSegment;
    const segment =
      last === undefined || last.sync !== options.sync
        ? await ActiveSegment.create(fs, dir, state.highestFileNumber + 1, state.keyspace.seq, options.sync, options.segmentPreallocateBytes)
        : await ActiveSegment.reopen(fs, dir, last.fileNumber, last.size, options.segmentPreallocateBytes);
    const sealed = state.sealedSegments.filter(([fileNumber]) => fileNumber !== segment.fileNumber);
    return { ...opened(state, lock, sealed), segment };
  } catch (error) {
    await lock.release().catch(() => undefined);
    throw error;
  }
}

/**
 * Recovers without the lock. A writer may be compacting meanwhile: a file listed can be retired
 * before it is opened. Then the folder is listed again (the new base holds what the file held).
 */
async function openReadOnly(dir: string, options: ResolvedOptions, step: { name: string }): Promise<OpenedFolder> {
  const { fs } = options;
  for (let listing = 1; ; listing += 1) {
    step.name = "looking at the folder";
    if (!(await isExistingFolder(fs, dir))) {
      throw new StoreError("STORE_IO", `There is no data folder at ${dir} to open read-only. Check the path.`, { path: dir });
    }
    try {
      await assertStoreFolder(fs, dir);
      step.name = "reading the log";
      const state = await recover(fs, dir, options);
      return { ...opened(state, undefined, state.sealedSegments), segment: undefined };
    } catch (error) {
      if (!isErrno(error, "ENOENT")) throw error;
      if (listing === READ_ONLY_LISTINGS_MAX) throw keptChanging(dir, error);
    }
  }
}

function opened(state: RecoveredState, lock: DirectoryLock | undefined, sealed: ReadonlyArray<readonly [number, number]>): Omit<OpenedFolder, "segment"> {
  const { keyspace, report, highestFileNumber, baseNumber, baseBytes } = state;
  const liveFiles = new LiveFiles(baseNumber === undefined ? undefined : { fileNumber: baseNumber, bytes: baseBytes }, sealed);
  return { keyspace, report, lock, highestFileNumber, liveFiles };
}

/** True for a folder, false when nothing is there; a file there is refused. */
async function isExistingFolder(fs: FileSystem, dir: string): Promise<boolean> {
  const stat = await fs.stat(dir);
  if (stat === undefined) return false;
  if (stat.isDirectory) return true;
  throw new StoreError("STORE_NOT_A_STORE", `${dir} is a file, not a folder: a store is a folder of files. Pass the path of a store's folder, or of a folder to be created.`, { path: dir });
}

function keptChanging(dir: string, cause: unknown): StoreError {
  return new StoreError(
    "STORE_IO",
    `Opening ${dir} read-only failed: its files changed ${READ_ONLY_LISTINGS_MAX} times while they were read (a writer compacting it retires files, ` +
      `most recently ${isErrno(cause) && cause.path !== undefined ? cause.path : "one"}). Open it again, or while the writer is not compacting.`,
    { path: dir, cause },
  );
}

/**
 * A file-system error (disk full, EIO, permissions) as STORE_IO, naming the file and what opening
 * was doing. Errors of ours pass through; anything else is a bug, and is not disguised.
 */
function asStoreError(error: unknown, dir: string, step: string): unknown {
  if (error instanceof StoreError || !isErrno(error)) return error;
  const path = error.path ?? dir;
  return new StoreError(
    "STORE_IO",
    `Opening the store in ${dir} failed while ${step}: ${error.message}. Nothing that was acknowledged is lost: fix the cause (free space, permissions, the disk) and open again.`,
    { path, cause: error },
  );
}
