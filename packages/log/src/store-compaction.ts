import { StoreError, ioError, type Clock, type FileSystem } from "@store/fs";
import type { Committer } from "./committer.js";
import { retireFiles, writeBase } from "./compaction.js";
import { baseName } from "./files.js";
import type { Keyspace } from "./keyspace.js";
import type { LiveFiles } from "./live-files.js";

export interface CompactionResult {
  /** The seq the new base reflects. */
  readonly seq: number;
  readonly baseFile: string;
  /** Live bytes in the data folder before and after. */
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly durationMs: number;
  /** Files moved to backups/ (or deleted, with backupsMax 0). */
  readonly retiredFiles: readonly string[];
}

export interface CompactionState {
  running: Promise<CompactionResult> | undefined;
  lastAtMs: number | null;
  lastError: string | null;
}

export interface CompactionContext {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly keyspace: Keyspace;
  readonly committer: Committer;
  readonly liveFiles: LiveFiles;
  readonly state: CompactionState;
  readonly backupsMax: number;
  /** What `lastAtMs` (a scheduler's age trigger) and `durationMs` are read from. */
  readonly clock: Clock;
}

/**
 * Seal the active segment (new writes go to a fresh one at once) and snapshot the keyspace at that
 * instant; write the snapshot as base N, numbered like the new segment, so base N holds everything
 * before segment N; then retire the old base and sealed segments. Until base N's rename is durable,
 * opening finds the old base and segments; after it, the new base. Never neither.
 */
export async function compact(context: CompactionContext): Promise<CompactionResult> {
  try {
    const result = await compactOnce(context);
    context.state.lastError = null;
    return result;
  } catch (error) {
    context.state.lastError = error instanceof Error ? error.message : String(error);
    throw error instanceof StoreError ? error : ioError("Compaction", context.dir, error);
  }
}

async function compactOnce(context: CompactionContext): Promise<CompactionResult> {
  const { fs, dir, keyspace, committer, liveFiles, state } = context;
  const startedAtMs = context.clock.now();
  const bytesBefore = liveBytesOnDisk(context);
  const baseNumber = await committer.roll((segment) => {
    keyspace.beginSnapshot();
    return segment.fileNumber;
  });
  // Sealing the old segment (behind the writes) failed the store: a failing disk gets no new base.
  if (committer.failure !== undefined) {
    keyspace.endSnapshot();
    throw committer.failure;
  }
  const seq = keyspace.snapshotSeq;
  let baseBytes: number;
  try {
    baseBytes = await writeBase(fs, dir, baseNumber, keyspace);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError("STORE_IO", `Compaction failed writing ${baseName(baseNumber)} in ${dir}: ${reason}. The previous state is in place and nothing was lost; free space or fix the disk and compact again.`, {
      path: dir,
      cause: error,
    });
  } finally {
    keyspace.endSnapshot();
  }
  const retired = liveFiles.replaceWithBase(baseNumber, baseBytes);
  try {
    await retireFiles(fs, dir, retired, baseNumber, context.backupsMax);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError("STORE_IO", `Compaction wrote ${baseName(baseNumber)} in ${dir} but could not retire the files it replaces: ${reason}. The data is safe; the next open or compaction retires them.`, {
      path: dir,
      cause: error,
    });
  }
  state.lastAtMs = context.clock.now();
  return { seq, baseFile: baseName(baseNumber), bytesBefore, bytesAfter: liveBytesOnDisk(context), durationMs: state.lastAtMs - startedAtMs, retiredFiles: retired };
}

function liveBytesOnDisk({ liveFiles, committer }: CompactionContext): number {
  return liveFiles.bytes + committer.segment.size;
}
