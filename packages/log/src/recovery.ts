import { basename, join } from "node:path";
import { CorruptionError, atomicReplace, mkdirDurable, type FileSystem } from "@store/fs";
import { baseName, basePath, listDataFiles, segmentName, segmentPath } from "./files.js";
import { encodeRecord, headerRecord, type HeaderRecord, type LogRecord, type WriteRecord } from "./format.js";
import { decodeLineForReplay, type RawValueRecord } from "./fast-decode.js";
import { Keyspace, changesOf } from "./keyspace.js";
import type { CorruptionPolicy, SyncMode } from "./options.js";
import { scanFile, type Damage, type ScanResult } from "./reader.js";

export const DAMAGED_FOLDER = "damaged";

/** What opening found and did; `store.recovery`. */
export interface RecoveryReport {
  /** The base file the state was loaded from, or null if the store has never been compacted. */
  readonly baseFile: string | null;
  readonly segmentsReplayed: number;
  readonly recordsReplayed: number;
  /**
   * What was cut off the end of the last segment (or ignored, when read-only): an interrupted append,
   * or, in a segment written with `sync: "interval"` or `"none"`, everything from the first damage on
   * (`unsynced: true`): after a power loss the kernel may have written later pages and not earlier
   * ones, and those writes were never promised to survive it.
   */
  readonly tornTail: { readonly path: string; readonly offset: number; readonly bytes: number; readonly unsynced: boolean } | null;
  /** Files with damage that `onCorruption: "salvage"` dropped; the original is kept at `keptAt`. */
  readonly salvaged: ReadonlyArray<{ readonly path: string; readonly keptAt: string; readonly damage: readonly Damage[] }>;
}

export interface RecoveredState {
  readonly keyspace: Keyspace;
  readonly report: RecoveryReport;
  /** The last segment, if it can be appended to: it has a header and ends in a whole record. */
  readonly lastSegment: { readonly fileNumber: number; readonly size: number; readonly sync: SyncMode } | undefined;
  readonly highestFileNumber: number;
  /** Files older than the base: left by a compaction interrupted before it retired them. */
  readonly retiredLeftovers: readonly string[];
  readonly tempFiles: readonly string[];
  readonly baseNumber: number | undefined;
  readonly baseBytes: number;
  /** Live segments and the bytes of whole records in each: [file number, bytes]. */
  readonly sealedSegments: ReadonlyArray<readonly [number, number]>;
}

export interface RecoveryOptions {
  readonly readOnly: boolean;
  readonly onCorruption: CorruptionPolicy;
}

/** Loads the newest base, then replays the segments after it, in order. */
export async function recover(fs: FileSystem, dir: string, options: RecoveryOptions): Promise<RecoveredState> {
  const files = await listDataFiles(fs, dir);
  const keyspace = new Keyspace();
  const salvaged: Array<RecoveryReport["salvaged"][number]> = [];
  const baseNumber = files.bases.at(-1);
  const base = baseNumber === undefined ? { bytes: 0, salvaged: false } : await loadBase(fs, basePath(dir, baseNumber), keyspace, options, salvaged);
  const baseBytes = base.bytes;
  let afterSalvaged = base.salvaged;
  const sealedSegments: Array<[number, number]> = [];
  const firstLive = baseNumber ?? 0;
  const live = files.segments.filter((fileNumber) => fileNumber >= firstLive);
  let recordsReplayed = 0;
  let tornTail: RecoveryReport["tornTail"] = null;
  let lastSegment: RecoveredState["lastSegment"];
  for (const [index, fileNumber] of live.entries()) {
    const path = segmentPath(dir, fileNumber);
    const replay = await replaySegment(fs, path, keyspace, { isLast: index === live.length - 1, afterSalvaged }, options, salvaged);
    afterSalvaged = replay.salvaged;
    recordsReplayed += replay.records;
    tornTail = replay.tornTail ?? tornTail;
    sealedSegments.push([fileNumber, replay.size]);
    lastSegment = replay.appendable ? { fileNumber, size: replay.size, sync: replay.sync } : undefined;
  }
  const retiredLeftovers = [
    ...files.bases.filter((fileNumber) => fileNumber !== baseNumber).map(baseName),
    ...files.segments.filter((fileNumber) => fileNumber < firstLive).map(segmentName),
  ];
  return {
    keyspace,
    report: { baseFile: baseNumber === undefined ? null : baseName(baseNumber), segmentsReplayed: live.length, recordsReplayed, tornTail, salvaged },
    lastSegment,
    highestFileNumber: Math.max(0, ...files.bases, ...files.segments),
    retiredLeftovers,
    tempFiles: files.temps,
    baseNumber,
    baseBytes,
    sealedSegments,
  };
}

async function loadBase(
  fs: FileSystem,
  path: string,
  keyspace: Keyspace,
  options: RecoveryOptions,
  salvaged: Array<RecoveryReport["salvaged"][number]>,
): Promise<{ bytes: number; salvaged: boolean }> {
  let header: HeaderRecord | undefined;
  let endCount: number | undefined;
  const entryLines: Array<readonly [number, number]> = [];
  const scan = await scanFile(
    fs,
    path,
    (record, offset, end) => {
      if (header === undefined) {
        if (record.op !== "header" || record.kind !== "base") throw corrupt(path, offset, "the first line is not a base header");
        header = record;
        return;
      }
      if (record.op === "entry") {
        if (record.seq > header.seq) throw corrupt(path, offset, `entry version ${record.seq} is newer than the base (${header.seq})`);
        if ("json" in record) keyspace.load(record.key, undefined, record.json, record.seq, end - offset);
        else keyspace.load(record.key, record.value, undefined, record.seq, end - offset);
        entryLines.push([offset, end]);
      } else if (record.op === "end") endCount = record.entries;
      else throw corrupt(path, offset, `unexpected "${record.op}" record in a base file`);
    },
    { visitAfterDamage: options.onCorruption === "salvage", decode: decodeLineForReplay },
  );
  const seq = header?.seq ?? keyspace.seq;
  keyspace.advanceTo(seq);
  // A base is written whole (temp file, fsync, rename), so any damage is corruption, even at the end.
  const entries = entryLines.length;
  const problem = scan.damage[0] !== undefined ? scan.damage[0].reason : endCount === undefined ? "the end marker is missing" : endCount !== entries ? `the end marker counts ${endCount} entries, the file has ${entries}` : undefined;
  if (problem === undefined) return { bytes: scan.size, salvaged: header?.salvaged === true };
  const offset = scan.damage[0]?.offset ?? scan.size;
  if (options.onCorruption !== "salvage" || options.readOnly) throw corrupt(path, offset, problem);
  const keptAt = await keepAside(fs, path);
  const bytes = await rewriteSalvaged(fs, path, headerRecord("base", seq, Date.now()), entryLines, encodeRecord({ op: "end", entries }));
  salvaged.push({ path, keptAt, damage: scan.damage.length > 0 ? scan.damage : [{ offset, bytes: scan.size - offset, reason: problem }] });
  return { bytes, salvaged: true };
}

interface SegmentReplay {
  readonly records: number;
  /** Bytes of whole records the file holds now. */
  readonly size: number;
  /** It has its header and was not rewritten: new records can follow. */
  readonly appendable: boolean;
  readonly sync: SyncMode;
  /** Salvage rewrote it, now or before: records may be missing up to its end. */
  readonly salvaged: boolean;
  readonly tornTail: RecoveryReport["tornTail"];
}

async function replaySegment(
  fs: FileSystem,
  path: string,
  keyspace: Keyspace,
  { isLast, afterSalvaged }: { isLast: boolean; afterSalvaged: boolean },
  options: RecoveryOptions,
  salvaged: Array<RecoveryReport["salvaged"][number]>,
): Promise<SegmentReplay> {
  const seen: { header: HeaderRecord | undefined; records: number; sync: SyncMode } = { header: undefined, records: 0, sync: "always" };
  const salvaging = options.onCorruption === "salvage";
  const recordLines: Array<readonly [number, number]> = [];
  // In the last segment of an unsynced mode, damage ends the log (point in time): never salvage past it.
  const unsyncedTail = (): boolean => isLast && seen.sync !== "always";
  const scan = await scanFile(
    fs,
    path,
    (record, offset, end) => {
      if (seen.header === undefined) {
        if (record.op !== "header" || record.kind !== "segment") throw corrupt(path, offset, "the first line is not a segment header");
        // A segment starts where the files before it end: past it means a missing or shortened file.
        if (record.seq > keyspace.seq && !salvaging && !afterSalvaged) {
          throw corrupt(path, offset, `the segment starts after seq ${record.seq}, but the files before it end at seq ${keyspace.seq}: records are missing`);
        }
        seen.header = record;
        seen.sync = record.sync ?? "always";
        keyspace.advanceTo(record.seq);
        return;
      }
      const write = asWriteRecord(record, path, offset);
      if (write.seq <= keyspace.seq) throw corrupt(path, offset, `seq ${write.seq} does not follow ${keyspace.seq}`);
      if (salvaging) recordLines.push([offset, end]);
      if ("json" in write) {
        keyspace.load(write.key, undefined, write.json, write.seq, end - offset);
        keyspace.advanceTo(write.seq);
      } else {
        keyspace.apply(write.seq, changesOf(write), end - offset);
      }
      seen.records += 1;
    },
    { visitAfterDamage: () => options.onCorruption === "salvage" && !unsyncedTail(), decode: decodeLineForReplay },
  );
  const header = headerRecord("segment", seen.header?.seq ?? keyspace.seq, Date.now(), seen.sync);
  const outcome = await handleDamage(fs, scan, { isLast, unsynced: unsyncedTail() }, options, salvaged, () => rewriteSalvaged(fs, path, header, recordLines));
  const rewrittenBytes = typeof outcome === "number" ? outcome : undefined;
  const tornTail = typeof outcome === "number" ? null : outcome;
  return {
    records: seen.records,
    size: rewrittenBytes ?? (tornTail !== null ? scan.wholeEnd : scan.dataEnd),
    appendable: seen.header !== undefined && rewrittenBytes === undefined,
    sync: seen.sync,
    salvaged: rewrittenBytes !== undefined || seen.header?.salvaged === true,
    tornTail,
  };
}

/**
 * A torn tail (damage with nothing whole after it, in the last segment; or any damage in the last
 * segment of an unsynced mode) is cut; anything else is corruption, which salvage rewrites (then
 * the result is the rewritten file's size).
 */
async function handleDamage(
  fs: FileSystem,
  scan: ScanResult,
  { isLast, unsynced }: { isLast: boolean; unsynced: boolean },
  options: RecoveryOptions,
  salvaged: Array<RecoveryReport["salvaged"][number]>,
  rewrite: () => Promise<number>,
): Promise<RecoveryReport["tornTail"] | number> {
  const first = scan.damage[0];
  if (first === undefined) return null;
  // Not even a whole header: a segment whose creation failed (its header is synced before any
  // record goes in), so it never held a record. Nothing to cut or to refuse.
  if (scan.wholeEnd === 0 && !scan.followedByRecords && !isLast) return null;
  if (isLast && (unsynced || !scan.followedByRecords)) {
    const tornTail = { path: scan.path, offset: first.offset, bytes: scan.dataEnd - first.offset, unsynced: unsynced && scan.followedByRecords };
    if (!options.readOnly) await cutTail(fs, scan.path, first.offset);
    return tornTail;
  }
  const where = isLast ? "whole records follow it" : "it is not in the last segment";
  if (options.onCorruption !== "salvage" || options.readOnly) {
    throw corrupt(scan.path, first.offset, `${first.reason}, and ${where}, so it is not an interrupted append`);
  }
  const keptAt = await keepAside(fs, scan.path);
  const bytes = await rewrite();
  salvaged.push({ path: scan.path, keptAt, damage: scan.damage });
  return bytes;
}

async function cutTail(fs: FileSystem, path: string, offset: number): Promise<void> {
  const handle = await fs.open(path, "r+");
  try {
    await handle.truncate(offset);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Copies a damaged file into `damaged/` (durably) before anything changes it. */
async function keepAside(fs: FileSystem, path: string): Promise<string> {
  const folder = join(path, "..", DAMAGED_FOLDER);
  await mkdirDurable(fs, folder);
  const keptAt = join(folder, `${basename(path)}.${Date.now()}`);
  await atomicReplace(fs, keptAt, await fs.readFile(path));
  return keptAt;
}

/**
 * Rewrites a damaged file (atomically) as a new header marked `salvaged`, the whole records kept
 * (byte ranges of the file), and for a base its end marker. Returns the new size.
 */
async function rewriteSalvaged(fs: FileSystem, path: string, header: HeaderRecord, lines: ReadonlyArray<readonly [number, number]>, end?: Buffer): Promise<number> {
  const bytes = await fs.readFile(path);
  const chunks: Uint8Array[] = [encodeRecord({ ...header, salvaged: true }), ...lines.map(([start, stop]) => bytes.subarray(start, stop))];
  if (end !== undefined) chunks.push(end);
  await atomicReplace(fs, path, chunks);
  return chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}

function asWriteRecord(record: LogRecord | RawValueRecord, path: string, offset: number): WriteRecord | Extract<RawValueRecord, { op: "set" }> {
  if (record.op === "set" || record.op === "del" || record.op === "batch") return record;
  throw corrupt(path, offset, `unexpected "${record.op}" record in a segment`);
}

function corrupt(path: string, offset: number, reason: string): CorruptionError {
  return new CorruptionError(
    `${path} is damaged at byte ${offset}: ${reason}. ` +
      `Restore the folder from a backup, or open with { onCorruption: "salvage" } to keep every whole record (the damaged file is kept aside).`,
    { path, offset },
  );
}
