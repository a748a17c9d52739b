import { CorruptionError, StoreError, type FileSystem, type JsonValue } from "@store/fs";
import { listBackups, readBackupLines, type BackupFile } from "./backup-files.js";
import { followLog } from "./follow-log.js";
import type { WriteRecord } from "./format.js";
import { readLog } from "./read-log.js";

/** A key's value and version (the seq of its last write) in a past state. */
export interface PastEntry {
  readonly value: JsonValue;
  readonly version: number;
}

/** The state of a folder as of `seq`: every live key then. */
export interface PastState {
  readonly seq: number;
  /** The write time of the record at `seq` (its `ts`); undefined when the state came from a base alone. */
  readonly ts: number | undefined;
  readonly entries: Map<string, PastEntry>;
}

/** A base the history can start from: its seq and its header's time; seq 0 and no path for "the empty store". */
interface Start {
  readonly seq: number;
  readonly ts: number;
  readonly backup?: BackupFile;
}

/**
 * The state of `dir` as of `seq`, read-only and without the lock. From the live files when their base
 * is not newer than `seq` (readLog holds the files it lists, so a compaction meanwhile does not
 * disturb it); otherwise from the newest base in `backups/` at or before `seq` and every later
 * segment, retired or live (followLog). Older than every base kept: STORE_HISTORY_GONE; above the
 * folder's seq: STORE_HISTORY_GONE too (as `subscribe` says for a seq the store never reached).
 */
export async function stateAt(fs: FileSystem, dir: string, seq: number): Promise<PastState> {
  const live = await fromLiveFiles(fs, dir, seq);
  if ("entries" in live) return live;
  const starts = await backupStarts(fs, dir);
  const start = starts.filter((candidate) => candidate.seq <= seq).at(-1);
  if (start === undefined) throw historyGone(dir, seq, starts[0]?.seq ?? live.baseSeq);
  const entries = new Map<string, PastEntry>();
  if (start.backup !== undefined) await readBackupBase(fs, start.backup, entries);
  let reached = start.seq;
  let ts: number | undefined;
  for await (const { record } of followLog(dir, { fs, afterSeq: start.seq, follow: false })) {
    if (record.seq > seq) break;
    apply(entries, record);
    reached = record.seq;
    ts = record.ts;
  }
  if (reached < seq) throw neverReached(dir, seq, reached);
  return { seq, ts, entries };
}

/**
 * The seq of the last record written at or before `atMs` (its `ts`), over all the history kept: the
 * segments after the oldest base kept. A base whose header time is at or before `atMs` counts as its
 * seq (every record it holds was written before it). Nothing that early: STORE_HISTORY_GONE, unless
 * the whole history is kept (then it is seq 0, the empty store).
 */
export async function seqAt(fs: FileSystem, dir: string, atMs: number): Promise<number> {
  const starts = await backupStarts(fs, dir);
  const live = await liveBase(fs, dir);
  const oldest = starts[0] ?? live;
  let found: number | undefined;
  for (const start of [...starts, live]) if (start.ts <= atMs && start.seq > (found ?? -1)) found = start.seq;
  for await (const { record } of followLog(dir, { fs, afterSeq: oldest.seq, follow: false })) {
    if (record.ts <= atMs) found = Math.max(found ?? 0, record.seq);
  }
  if (found !== undefined) return found;
  if (oldest.seq === 0) return 0;
  throw new StoreError(
    "STORE_HISTORY_GONE",
    `${dir} keeps no record written at or before ${new Date(atMs).toISOString()}: its history starts at seq ${oldest.seq} (written by ${new Date(oldest.ts).toISOString()}). ` +
      `Restore a later time, or keep more backups (backupsMax).`,
    { path: dir },
  );
}

/** The state from the live base and segments, or the live base's seq when it is newer than `seq`. */
async function fromLiveFiles(fs: FileSystem, dir: string, seq: number): Promise<PastState | { readonly baseSeq: number }> {
  const entries = new Map<string, PastEntry>();
  let reached = -1;
  let ts: number | undefined;
  for await (const { record } of readLog(dir, { fs })) {
    if (record.op === "header") {
      if (reached === -1 && record.seq > seq) return { baseSeq: record.seq };
      reached = Math.max(reached, record.seq);
    } else if (record.op === "entry") {
      entries.set(record.key, { value: record.value, version: record.seq });
    } else if (record.op === "set" || record.op === "del" || record.op === "batch") {
      if (record.seq > seq) break;
      apply(entries, record);
      reached = record.seq;
      ts = record.ts;
    }
  }
  if (reached < seq) throw neverReached(dir, seq, Math.max(reached, 0));
  return { seq, ts, entries };
}

/** The live base (its seq and time), or the empty store at seq 0 when none was written yet. */
async function liveBase(fs: FileSystem, dir: string): Promise<Start> {
  for await (const { record } of readLog(dir, { fs })) {
    if (record.op === "header" && record.kind === "base") return { seq: record.seq, ts: record.ts };
    break;
  }
  return { seq: 0, ts: Number.NEGATIVE_INFINITY };
}

/**
 * Where the kept history can start, oldest first: each base in `backups/` (its header), and the empty
 * store at seq 0 when the first segment ever written (header seq 0) is still kept.
 */
async function backupStarts(fs: FileSystem, dir: string): Promise<Start[]> {
  const backups = await listBackups(fs, dir);
  const starts: Start[] = [];
  for (const backup of backups.filter((file) => file.kind === "base")) {
    for await (const line of readBackupLines(fs, backup.path)) {
      if ("problem" in line || line.record.op !== "header") throw damaged(backup.path, line.offset, "problem" in line ? line.problem : "the first line is not a header");
      starts.push({ seq: line.record.seq, ts: line.record.ts, backup });
      break;
    }
  }
  // The lowest-numbered segment kept; its header seq is 0 only if it is the first the store wrote.
  const firstSegment = backups.filter((file) => file.kind === "segment").sort((a, b) => a.fileNumber - b.fileNumber)[0];
  if (firstSegment !== undefined) {
    for await (const line of readBackupLines(fs, firstSegment.path)) {
      if (!("problem" in line) && line.record.op === "header" && line.record.seq === 0) starts.unshift({ seq: 0, ts: Number.NEGATIVE_INFINITY });
      break;
    }
  }
  return starts.sort((a, b) => a.seq - b.seq);
}

async function readBackupBase(fs: FileSystem, backup: BackupFile, entries: Map<string, PastEntry>): Promise<void> {
  let ended = false;
  for await (const line of readBackupLines(fs, backup.path)) {
    if ("problem" in line) throw damaged(backup.path, line.offset, line.problem);
    if (line.record.op === "entry") entries.set(line.record.key, { value: line.record.value, version: line.record.seq });
    else if (line.record.op === "end") ended = line.record.entries === entries.size;
  }
  if (!ended) throw damaged(backup.path, 0, "the base does not end with an end record counting its entries");
}

function apply(entries: Map<string, PastEntry>, record: WriteRecord): void {
  const ops = record.op === "batch" ? record.ops : [record];
  for (const op of ops) {
    if (op.op === "set") entries.set(op.key, { value: op.value, version: record.seq });
    else entries.delete(op.key);
  }
}

function historyGone(dir: string, seq: number, oldestSeq: number): StoreError {
  return new StoreError(
    "STORE_HISTORY_GONE",
    `${dir} no longer holds the state as of seq ${seq}: the oldest seq it can restore is ${oldestSeq} (older records were compacted away and their backups are not kept). ` +
      `Restore seq ${oldestSeq} or later, or keep more backups (backupsMax).`,
    { path: dir },
  );
}

function neverReached(dir: string, seq: number, reached: number): StoreError {
  return new StoreError("STORE_HISTORY_GONE", `${dir} has no seq ${seq}: its last write is seq ${reached}. Restore seq ${reached} or earlier.`, { path: dir });
}

function damaged(path: string, offset: number, problem: string): CorruptionError {
  return new CorruptionError(`${path} is damaged at byte ${offset}: ${problem}.`, { path, offset });
}
