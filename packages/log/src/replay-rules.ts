import { StoreError } from "@store/fs";
import { FORMAT_VERSION, type FileKind, type HeaderRecord } from "./format.js";
import type { ScanResult } from "./reader.js";

/**
 * The rules docs/format.md sets for the order of a folder's records, in one place for the two
 * readers that replay a folder: recovery (opening a store) and readLog (tools). Each returns why a
 * record breaks a rule, or undefined; the caller decides whether that refuses the file or is salvaged.
 *
 * - Every file starts with a header of its kind, in this format version.
 * - A base's entries carry their key's version: a seq from 1 to the base's seq.
 * - A segment's header seq is where the files before it end: past it, records are missing; before
 *   it, records would be replayed twice.
 * - Each record's seq is the one before plus one: a batch is one record with one seq, and no write
 *   is ever skipped, so a gap is a record that was lost.
 * - A file marked `salvaged` (and the files after it) may start past the end of the files before
 *   it, and a `salvaged` file may have gaps inside: salvage dropped what was damaged, and said so once.
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

/** A segment's header seq against `endSeq`, the last seq of the files before it. */
export function segmentStartProblem(headerSeq: number, endSeq: number, gapAllowed: boolean): string | undefined {
  if (headerSeq > endSeq && !gapAllowed) return `the segment starts after seq ${headerSeq}, but the files before it end at seq ${endSeq}: records are missing`;
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
 * The caller has already made sure a file with nothing whole in it is ours (`fileShape`).
 */
export type DamageVerdict = "none" | "torn-tail" | "never-held-a-record" | "corruption";

export function damageVerdict(scan: ScanResult, where: { readonly kind: FileKind; readonly isLast: boolean; readonly unsynced: boolean }): DamageVerdict {
  if (scan.damage.length === 0) return "none";
  if (where.kind === "base") return "corruption";
  if (scan.wholeEnd === 0 && !scan.followedByRecords && !where.isLast) return "never-held-a-record";
  if (where.isLast && (where.unsynced || !scan.followedByRecords)) return "torn-tail";
  return "corruption";
}
