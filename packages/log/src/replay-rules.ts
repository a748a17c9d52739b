import { StoreError, type FileSystem } from "@store/fs";
import { fileShape } from "./file-shape.js";
import { FORMAT_VERSION, type FileKind, type HeaderRecord } from "./format.js";
import type { ScanResult } from "./reader.js";

/**
 * The rules docs/format.md sets for a folder's records, in one place for every reader of a folder:
 * recovery (opening a store), readLog (tools), verifyFolder and followLog. Each returns why a record
 * breaks a rule (or what damage means), or undefined; the caller decides whether that refuses the
 * file, is noted, or is salvaged. A rule kept in one reader only is how readers came to disagree.
 *
 * - Every file starts with a header of its kind, in this format version.
 * - A base's entries carry their key's version: a seq from 1 to the base's seq.
 * - A segment's header seq is where the files before it end: past it, records are missing; before
 *   it, records would be replayed twice.
 * - Each record's seq is the one before plus one: a batch is one record with one seq, and no write
 *   is ever skipped, so a gap is a record that was lost.
 * - A segment marked `salvaged`, or one right after a file marked `salvaged`, may start past the end
 *   of the files before it, and a `salvaged` file may have gaps inside: salvage dropped what was
 *   damaged, and said so once. A segment without a whole header in between ends that allowance: it
 *   may be a segment cut back into its header, and then the gap is its records, lost.
 */

/** A header written by another format version: refused, whatever the corruption policy (salvage would lose data it cannot read). */
export function assertSupportedVersion(header: HeaderRecord, path: string): void {
  if (header.v === FORMAT_VERSION) return;
  throw new StoreError(
    "STORE_UNSUPPORTED_FORMAT",
    `${path} is in format version ${String(header.v)}, and this version of @store/log reads format version ${FORMAT_VERSION} only. ` +
      `Upgrade @store/log to open this folder (nothing was changed).`,
    { path, offset: 0 },
  );
}

export function headerProblem(record: { readonly op: string; readonly kind?: unknown }, kind: FileKind): string | undefined {
  return record.op === "header" && record.kind === kind ? undefined : `the first line is not a ${kind} header`;
}

/** A base entry's version must be a seq the base covers. */
export function entrySeqProblem(seq: number, baseSeq: number): string | undefined {
  if (seq < 1) return `entry version ${seq} is not a seq (they start at 1)`;
  if (seq > baseSeq) return `entry version ${seq} is newer than the base (${baseSeq})`;
  return undefined;
}

/**
 * The seq rules across the files of one pass, front to back: where the files so far end, and whether
 * the next segment may start past it. Readers that replay (recovery keeps `seq` in its keyspace)
 * tell it each file's header, or that a segment had none.
 */
export class FileChain {
  /** The last seq of the files so far. */
  seq = 0;
  /** The last file with a header was marked `salvaged`. */
  #afterSalvaged = false;

  startBase(header: HeaderRecord): void {
    this.seq = Math.max(this.seq, header.seq);
    this.#afterSalvaged = header.salvaged === true;
  }

  /** A segment's header: returns what is wrong with where it starts, if anything. */
  startSegment(header: HeaderRecord): string | undefined {
    const problem = segmentStartProblem(header, { seq: this.seq, afterSalvaged: this.#afterSalvaged });
    this.seq = Math.max(this.seq, header.seq);
    this.#afterSalvaged = header.salvaged === true;
    return problem;
  }

  /** A segment that ended without a whole header (it never held a record, or lost its header). */
  headerless(): void {
    this.#afterSalvaged = false;
  }

  /** A write record's seq; `inSalvaged`: its segment is marked `salvaged` (gaps allowed inside). */
  record(seq: number, inSalvaged: boolean): string | undefined {
    const problem = recordSeqProblem(seq, this.seq, inSalvaged);
    this.seq = Math.max(this.seq, seq);
    return problem;
  }
}

/** What the files before a segment say about its start: their last seq, and whether the last of them with a header was salvaged. */
export interface ChainEnd {
  readonly seq: number;
  readonly afterSalvaged: boolean;
}

/** Records may be missing before this segment without it being reported again (see the rules above). */
export function startGapAllowed(header: HeaderRecord, before: ChainEnd): boolean {
  return header.salvaged === true || before.afterSalvaged;
}

/** A segment's header seq against the files before it. */
export function segmentStartProblem(header: HeaderRecord, before: ChainEnd): string | undefined {
  const headerSeq = header.seq;
  const endSeq = before.seq;
  if (headerSeq > endSeq && !startGapAllowed(header, before)) return `the segment starts after seq ${headerSeq}, but the files before it end at seq ${endSeq}: records are missing`;
  if (headerSeq < endSeq) return `the segment starts after seq ${headerSeq}, but the files before it already reach seq ${endSeq}: its records would be replayed twice`;
  return undefined;
}

/** A write record's seq against the seq before it (the header's, or the previous record's). */
export function recordSeqProblem(seq: number, previousSeq: number, gapAllowed: boolean): string | undefined {
  if (seq === previousSeq + 1) return undefined;
  if (seq <= previousSeq) return `seq ${seq} does not follow ${previousSeq}`;
  if (gapAllowed) return undefined;
  const missing = seq === previousSeq + 2 ? `seq ${previousSeq + 1} is` : `seqs ${previousSeq + 1} to ${seq - 1} are`;
  return `seq ${seq} follows ${previousSeq}: ${missing} missing`;
}

/**
 * What damage the reader found in a file means (docs/format.md, "Reading and recovery"):
 * - `torn-tail`: in the last segment, nothing whole after it (an interrupted append), or any damage
 *   in the last segment of an unsynced mode (the first damage ends the log: point in time);
 * - `never-held-a-record`: a segment before the last without even a whole header (its creation
 *   failed before its header was durable);
 * - `corruption`: anything else, and any damage in a base (bases are written whole).
 * - `not-ours`: nothing whole in it, and its first bytes are not what this library writes
 *   (`fileShape`): never cut, rewritten or retired.
 */
export type DamageVerdict = "none" | "torn-tail" | "never-held-a-record" | "not-ours" | "corruption";

export interface FilePlace {
  readonly kind: FileKind;
  /** The last live file of the folder. */
  readonly isLast: boolean;
  /** Its header says it was written with sync "interval" or "none". */
  readonly unsynced: boolean;
}

/** The one classifier of damage: every reader of a folder asks it, so they agree on what opens. */
export async function classifyDamage(fs: FileSystem, scan: ScanResult, where: FilePlace): Promise<DamageVerdict> {
  if (scan.damage.length === 0) return "none";
  if (scan.wholeEnd === 0 && !scan.followedByRecords && (await fileShape(fs, scan.path)) === "foreign") return "not-ours";
  return damageVerdict(scan, where);
}

/** The same, for a file known to be ours (its first bytes are a record or a header cut short). */
function damageVerdict(scan: ScanResult, where: FilePlace): Exclude<DamageVerdict, "not-ours"> {
  if (scan.damage.length === 0) return "none";
  if (where.kind === "base") return "corruption";
  if (scan.wholeEnd === 0 && !scan.followedByRecords && !where.isLast) return "never-held-a-record";
  if (where.isLast && (where.unsynced || !scan.followedByRecords)) return "torn-tail";
  return "corruption";
}
