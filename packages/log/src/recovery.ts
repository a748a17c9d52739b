import { join } from "node:path";
import { CorruptionError, type FileSystem } from "@store/fs";
import { fileShape } from "./file-shape.js";
import { baseName, basePath, listDataFiles, segmentName, segmentPath, type DataFiles } from "./files.js";
import { pinFiles } from "./pinned-files.js";
import { loadCheckedBase } from "./base-load.js";
import { headerRecord, type FileKind, type HeaderRecord, type LogRecord, type WriteRecord } from "./format.js";
import { decodeLineForReplay, type RawValueRecord } from "./fast-decode.js";
import { Keyspace, changesOf } from "./keyspace.js";
import type { CorruptionPolicy, SyncMode } from "./options.js";
import { scanFile, type Damage, type ScanResult } from "./reader.js";
import { assertSupportedVersion, classifyDamage, entrySeqProblem, headerProblem, recordSeqProblem, segmentStartProblem } from "./replay-rules.js";
import { endLine } from "./record-layout.js";
import { keepAside, moveAside, rewriteSalvaged } from "./salvage.js";

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
  const salvaged: Salvaged[] = [];
  // Salvage moves files that are not ours out of the way first, so that nothing below reads them as ours.
  if (isSalvaging(options)) await moveForeignFilesAside(fs, dir, salvaged);
  const files = await listDataFiles(fs, dir);
  const baseNumber = files.bases.at(-1);
  const live = files.segments.filter((fileNumber) => fileNumber >= (baseNumber ?? 0));
  const livePaths = [...(baseNumber === undefined ? [] : [basePath(dir, baseNumber)]), ...live.map((fileNumber) => segmentPath(dir, fileNumber))];
  // Read-only, without the lock: a writer compacting now could retire these files before they are read.
  const pinned = options.readOnly ? await pinFiles(fs, livePaths) : undefined;
  try {
    return await replayFolder(pinned?.fs ?? fs, dir, { files, baseNumber, live }, options, salvaged);
  } finally {
    await pinned?.close();
  }
}

/**
 * Segment bytes replayed between two copies of the replayed values out of the read buffers: what
 * opening may hold beyond the live values. Each copy visits every key and moves the live values'
 * bytes (a 64 MiB segment of 200-byte values is ~250k records).
 */
const PACK_EVERY_BYTES = 64 * 1024 * 1024;

async function replayFolder(
  fs: FileSystem,
  dir: string,
  { files, baseNumber, live }: { files: DataFiles; baseNumber: number | undefined; live: readonly number[] },
  options: RecoveryOptions,
  salvaged: Salvaged[],
): Promise<RecoveredState> {
  const checked = baseNumber === undefined ? undefined : await loadCheckedBase(fs, basePath(dir, baseNumber));
  const keyspace = checked?.keyspace ?? new Keyspace();
  const base =
    baseNumber === undefined
      ? { bytes: 0, salvaged: false }
      : checked !== undefined
        ? { bytes: checked.bytes, salvaged: checked.header.salvaged === true }
        : await loadBase(fs, basePath(dir, baseNumber), keyspace, options, salvaged);
  const baseBytes = base.bytes;
  let afterSalvaged = base.salvaged;
  const sealedSegments: Array<[number, number]> = [];
  let recordsReplayed = 0;
  let tornTail: RecoveryReport["tornTail"] = null;
  let lastSegment: RecoveredState["lastSegment"];
  let unpackedBytes = 0;
  for (const [index, fileNumber] of live.entries()) {
    const path = segmentPath(dir, fileNumber);
    const replay = await replaySegment(fs, path, keyspace, { isLast: index === live.length - 1, afterSalvaged }, options, salvaged);
    // Replayed values are left in the segments' read buffers: copied out now and then, so that the
    // buffers, mostly holding records overwritten since, do not pile up.
    unpackedBytes += replay.size;
    if (unpackedBytes >= PACK_EVERY_BYTES) {
      keyspace.packValues(checked?.source);
      unpackedBytes = 0;
    }
    afterSalvaged = replay.salvaged;
    recordsReplayed += replay.records;
    tornTail = replay.tornTail ?? tornTail;
    sealedSegments.push([fileNumber, replay.size]);
    lastSegment = replay.appendable ? { fileNumber, size: replay.size, sync: replay.sync } : undefined;
  }
  keyspace.packValues(checked?.source);
  const firstLive = baseNumber ?? 0;
  const retiredLeftovers = [
    ...files.bases.filter((fileNumber) => fileNumber !== baseNumber).map(baseName),
    ...files.segments.filter((fileNumber) => fileNumber < firstLive).map(segmentName),
  ];
  // They are about to be gzipped into backups/ and removed: only if they are ours.
  if (!options.readOnly) for (const name of retiredLeftovers) await assertOurs(fs, join(dir, name));
  return {
    keyspace,
    report: { baseFile: baseNumber === undefined ? null : baseName(baseNumber), segmentsReplayed: live.length, recordsReplayed, tornTail, salvaged },
    lastSegment,
    highestFileNumber: Math.max(0, ...files.bases, ...files.segments),
    retiredLeftovers,
    baseNumber,
    baseBytes,
    sealedSegments,
  };
}

type Salvaged = RecoveryReport["salvaged"][number];

function isSalvaging(options: RecoveryOptions): boolean {
  return options.onCorruption === "salvage" && !options.readOnly;
}

/**
 * Breaks of the format's rules found while replaying one file: with `"fail"` the first one refuses
 * the file; when salvaging each is kept as damage, and the file is rewritten without what it dropped.
 */
class RuleBreaks {
  readonly damage: Damage[] = [];
  readonly #path: string;
  readonly #salvaging: boolean;

  constructor(path: string, salvaging: boolean) {
    this.#path = path;
    this.#salvaging = salvaging;
  }

  report(offset: number, bytes: number, reason: string): void {
    if (!this.#salvaging) throw corrupt(this.#path, offset, reason);
    this.damage.push({ offset, bytes, reason });
  }
}

/** A base read line by line: one without a checked end marker (older, salvaged, larger than a buffer), or a damaged one. */
async function loadBase(fs: FileSystem, path: string, keyspace: Keyspace, options: RecoveryOptions, salvaged: Salvaged[]): Promise<{ bytes: number; salvaged: boolean }> {
  const breaks = new RuleBreaks(path, isSalvaging(options));
  let header: HeaderRecord | undefined;
  let endCount: number | undefined;
  const entryLines: Array<readonly [number, number]> = [];
  const scan = await scanFile(
    fs,
    path,
    (record, offset, end) => {
      if (header === undefined) {
        header = asHeader(record, "base", path, offset);
        return;
      }
      if (record.op === "entry") {
        const problem = entrySeqProblem(record.seq, header.seq);
        if (problem !== undefined) {
          breaks.report(offset, end - offset, problem);
          return; // salvaging: an entry no seq of the base can have written is dropped
        }
        if ("source" in record) keyspace.replaySet(record.key, record.source, record.valueStart, record.valueEnd, record.seq, end - offset);
        else keyspace.load(record.key, record.value, record.seq, end - offset);
        entryLines.push([offset, end]);
      } else if (record.op === "end") endCount = record.entries;
      else breaks.report(offset, end - offset, `unexpected "${record.op}" record in a base file`);
    },
    { visitAfterDamage: options.onCorruption === "salvage", decode: decodeLineForReplay },
  );
  const seq = header?.seq ?? keyspace.seq;
  keyspace.advanceTo(seq);
  // A base is written whole (temp file, fsync, rename), so any damage is corruption, even at the end.
  const entries = entryLines.length;
  const damage = mergeDamage(scan.damage, breaks.damage);
  const problem = damage[0] !== undefined ? damage[0].reason : endCount === undefined ? "the end marker is missing" : endCount !== entries ? `the end marker counts ${endCount} entries, the file has ${entries}` : undefined;
  if (problem === undefined) return { bytes: scan.size, salvaged: header?.salvaged === true };
  if (header === undefined) await assertOurs(fs, path);
  const offset = damage[0]?.offset ?? scan.size;
  if (!isSalvaging(options)) throw corrupt(path, offset, problem);
  const keptAt = await keepAside(fs, path);
  const bytes = await rewriteSalvaged(fs, path, headerRecord("base", seq, Date.now()), entryLines, endLine(entries));
  salvaged.push({ path, keptAt, damage: damage.length > 0 ? damage : [{ offset, bytes: scan.size - offset, reason: problem }] });
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
  salvaged: Salvaged[],
): Promise<SegmentReplay> {
  const seen: { header: HeaderRecord | undefined; startSeq: number; records: number; sync: SyncMode } = { header: undefined, startSeq: keyspace.seq, records: 0, sync: "always" };
  const salvaging = isSalvaging(options);
  const breaks = new RuleBreaks(path, salvaging);
  const recordLines: Array<readonly [number, number]> = [];
  // In the last segment of an unsynced mode, damage ends the log (point in time): never salvage past it.
  const unsyncedTail = (): boolean => isLast && seen.sync !== "always";
  const scan = await scanFile(
    fs,
    path,
    (record, offset, end) => {
      if (seen.header === undefined) {
        const header = asHeader(record, "segment", path, offset);
        const startProblem = segmentStartProblem(header, { seq: keyspace.seq, afterSalvaged });
        if (startProblem !== undefined) breaks.report(offset, 0, startProblem);
        seen.header = header;
        seen.sync = header.sync ?? "always";
        keyspace.advanceTo(header.seq);
        seen.startSeq = keyspace.seq;
        return;
      }
      const write = asWriteRecord(record, path, offset);
      // Inside a file salvage rewrote, records may be missing: only the order still holds.
      const seqProblem = recordSeqProblem(write.seq, keyspace.seq, seen.header.salvaged === true);
      if (seqProblem !== undefined) {
        const backwards = write.seq <= keyspace.seq;
        breaks.report(offset, backwards ? end - offset : 0, seqProblem);
        if (backwards) return; // salvaging: a record that does not move forward is dropped
      }
      if (salvaging) recordLines.push([offset, end]);
      if ("source" in write) {
        keyspace.replaySet(write.key, write.source, write.valueStart, write.valueEnd, write.seq, end - offset);
        keyspace.advanceTo(write.seq);
      } else {
        keyspace.apply(write.seq, changesOf(write), end - offset);
      }
      seen.records += 1;
    },
    { visitAfterDamage: () => options.onCorruption === "salvage" && !unsyncedTail(), decode: decodeLineForReplay },
  );
  const header = headerRecord("segment", seen.header === undefined ? keyspace.seq : seen.startSeq, Date.now(), seen.sync);
  const rewrite = (): Promise<number> => rewriteSalvaged(fs, path, header, recordLines);
  const outcome = await handleDamage(fs, scan, breaks.damage, { isLast, unsynced: unsyncedTail() }, options, salvaged, rewrite);
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
 * the result is the rewritten file's size). A broken rule of the format (a seq that does not follow)
 * is never a torn tail. A file with nothing of ours in it is never cut.
 */
async function handleDamage(
  fs: FileSystem,
  scan: ScanResult,
  ruleBreaks: readonly Damage[],
  { isLast, unsynced }: { isLast: boolean; unsynced: boolean },
  options: RecoveryOptions,
  salvaged: Salvaged[],
  rewrite: () => Promise<number>,
): Promise<RecoveryReport["tornTail"] | number> {
  const first = scan.damage[0];
  if (ruleBreaks.length === 0) {
    if (first === undefined) return null;
    const verdict = await classifyDamage(fs, scan, { kind: "segment", isLast, unsynced });
    if (verdict === "not-ours") throw foreignFile(scan.path);
    if (verdict === "never-held-a-record") return null; // nothing to cut or to refuse
    if (verdict === "torn-tail") {
      const tornTail = { path: scan.path, offset: first.offset, bytes: scan.dataEnd - first.offset, unsynced: unsynced && scan.followedByRecords };
      if (!options.readOnly) await cutTail(fs, scan.path, first.offset);
      return tornTail;
    }
    const where = isLast ? "whole records follow it" : "it is not in the last segment";
    if (!isSalvaging(options)) throw corrupt(scan.path, first.offset, `${first.reason}, and ${where}, so it is not an interrupted append`);
  }
  const keptAt = await keepAside(fs, scan.path);
  const bytes = await rewrite();
  salvaged.push({ path: scan.path, keptAt, damage: mergeDamage(scan.damage, ruleBreaks) });
  return bytes;
}

/**
 * The damage the reader found and the rules the records broke, in file order. A gap right after
 * damaged lines is those lines' records missing: reported once, as the damage.
 */
function mergeDamage(found: readonly Damage[], ruleBreaks: readonly Damage[]): Damage[] {
  const ends = new Set(found.map((damage) => damage.offset + damage.bytes));
  const breaks = ruleBreaks.filter((damage) => damage.bytes > 0 || !ends.has(damage.offset));
  return [...found, ...breaks].sort((a, b) => a.offset - b.offset);
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

/** Refuses a file named like a segment or base that this library did not write: never cut, rewritten or retired. */
async function assertOurs(fs: FileSystem, path: string): Promise<void> {
  if ((await fileShape(fs, path)) === "foreign") throw foreignFile(path);
}

/** With salvage: files named like ours that we did not write are moved to `damaged/`, untouched. */
async function moveForeignFilesAside(fs: FileSystem, dir: string, salvaged: Salvaged[]): Promise<void> {
  const files = await listDataFiles(fs, dir);
  for (const name of [...files.bases.map(baseName), ...files.segments.map(segmentName)]) {
    const path = join(dir, name);
    if ((await fileShape(fs, path)) !== "foreign") continue;
    const bytes = (await fs.stat(path))?.size ?? 0;
    const keptAt = await moveAside(fs, path);
    salvaged.push({ path, keptAt, damage: [{ offset: 0, bytes, reason: "not a file @store/log wrote: moved aside whole" }] });
  }
}

/** The first record of a file: a header of its kind, in a format version this code reads. */
function asHeader(record: LogRecord | RawValueRecord, kind: FileKind, path: string, offset: number): HeaderRecord {
  // The version first: a newer format may have other kinds, and must be refused as newer, not as damaged.
  if (record.op === "header") assertSupportedVersion(record, path);
  const problem = headerProblem(record, kind);
  if (problem !== undefined) throw corrupt(path, offset, problem);
  return record as HeaderRecord;
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

function foreignFile(path: string): CorruptionError {
  return new CorruptionError(
    `${path} is not a file @store/log wrote: its first line is not a store-log header, nor what an interrupted write leaves. ` +
      `It was not changed. Move it out of the folder (or restore the folder from a backup), or open with { onCorruption: "salvage" }, which moves it to damaged/ whole.`,
    { path, offset: 0 },
  );
}
