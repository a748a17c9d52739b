import { join } from "node:path";
import { StoreError, acquireLock, isErrno, mkdirDurable, nodeProcessProbe, tempFileOwnerPid, type DirectoryLock } from "@store/fs";
import { retireFiles } from "./compaction.js";
import type { Keyspace } from "./keyspace.js";
import type { ResolvedOptions } from "./options.js";
import { recover, type RecoveryReport } from "./recovery.js";
import { ActiveSegment } from "./segment.js";

export interface OpenedFolder {
  readonly keyspace: Keyspace;
  readonly report: RecoveryReport;
  readonly lock: DirectoryLock | undefined;
  /** The segment to append to; undefined when read-only. */
  readonly segment: ActiveSegment | undefined;
  readonly highestFileNumber: number;
  readonly sealedSegments: ReadonlyArray<readonly [number, number]>;
  readonly baseNumber: number | undefined;
  readonly baseBytes: number;
}

/**
 * Takes the lock, recovers the state, and gets the folder ready for appends: removes temp files of
 * interrupted atomic writes, finishes retiring files an interrupted compaction left, and continues
 * the last segment (or starts one).
 */
export async function openFolder(dir: string, options: ResolvedOptions): Promise<OpenedFolder> {
  const { fs } = options;
  if (options.readOnly) {
    const stat = await fs.stat(dir);
    if (stat?.isDirectory !== true) {
      throw new StoreError("STORE_IO", `There is no data folder at ${dir} to open read-only. Check the path.`, { path: dir });
    }
  } else {
    await mkdirDurable(fs, dir);
  }
  const lock = options.readOnly ? undefined : await acquireLock(fs, dir, options.processProbe === undefined ? {} : { probe: options.processProbe });
  try {
    const state = await recover(fs, dir, options);
    const { baseNumber, baseBytes } = state;
    const opened = { keyspace: state.keyspace, report: state.report, lock, highestFileNumber: state.highestFileNumber, baseNumber, baseBytes };
    if (options.readOnly) return { ...opened, segment: undefined, sealedSegments: state.sealedSegments };
    await removeTempFiles(dir, state.tempFiles, options);
    await retireFiles(fs, dir, state.retiredLeftovers, baseNumber ?? 0, options.backupsMax);
    // A segment says in its header how it was synced: continue it only in the same mode.
    const last = state.lastSegment;
    const segment =
      last === undefined || last.sync !== options.sync
        ? await ActiveSegment.create(fs, dir, state.highestFileNumber + 1, state.keyspace.seq, options.sync, options.segmentPreallocateBytes)
        : await ActiveSegment.reopen(fs, dir, last.fileNumber, last.size, options.segmentPreallocateBytes);
    const sealedSegments = state.sealedSegments.filter(([fileNumber]) => fileNumber !== segment.fileNumber);
    return { ...opened, segment, sealedSegments };
  } catch (error) {
    await lock?.release().catch(() => undefined);
    throw error;
  }
}

/**
 * Removes temp files left by interrupted atomic writes. Not those of other live processes: one that
 * is trying to take the lock right now has its lock file under a temp name.
 */
async function removeTempFiles(dir: string, names: readonly string[], options: ResolvedOptions): Promise<void> {
  const probe = options.processProbe ?? nodeProcessProbe;
  const leftovers = names.filter((name) => {
    const pid = tempFileOwnerPid(name);
    return pid === undefined || pid === probe.pid || probe.startTicksOf(pid) === undefined;
  });
  for (const name of leftovers) {
    try {
      await options.fs.unlink(join(dir, name));
    } catch (error) {
      if (!isErrno(error, "ENOENT")) throw error;
    }
  }
  if (leftovers.length > 0) await options.fs.fsyncDir(dir);
}

