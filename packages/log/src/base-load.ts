import { crc32 } from "node:zlib";
import type { FileHandle, FileSystem } from "@store/fs";
import { FORMAT_VERSION, JSON_START, decodeLine, findNewline, type HeaderRecord } from "./format.js";
import { cutEntryJson } from "./fast-decode.js";
import { Keyspace } from "./keyspace.js";
import { entrySeqProblem } from "./replay-rules.js";

/**
 * Bases up to this size are read in one buffer and checked against their end marker's checksum;
 * larger ones (and any that does not check out) are read line by line. The buffer stays in memory
 * as the values' text, so this bounds one allocation, not the store: 1 GiB is ~4M keys of 200 bytes.
 */
const CHECKED_BASE_BYTES_MAX = 1024 * 1024 * 1024;
/** Enough for the end marker's line (~80 bytes): read first, so a base without one is not read twice. */
const END_MARKER_PROBE_BYTES = 512;
const NEWLINE = 0x0a;

export interface CheckedBase {
  readonly keyspace: Keyspace;
  readonly header: HeaderRecord;
  /** The file's bytes, which hold the values. */
  readonly source: Buffer;
  /** The file's size. */
  readonly bytes: number;
}

/**
 * Loads a base the quick way, or says it cannot (undefined): the base must end in an end marker
 * that carries the count and CRC-32 of every byte before it (docs/format.md, "The base's end
 * marker"), and those bytes must match it. Then every line is exactly as the compaction wrote it, so
 * one CRC over the file stands for the checksum of each line, and the entries are cut apart without
 * parsing their values: each key's value stays as bytes of the file's buffer, parsed on first read.
 *
 * Anything unexpected (no such end marker, a mismatch, a line of another layout, a broken seq rule, a
 * key twice, a header this code would refuse) returns undefined, and the caller reads the file line by line,
 * which finds and reports the damage exactly as for a base without the marker. So this path never
 * accepts what the line-by-line reader would refuse, and never refuses anything itself.
 */
export async function loadCheckedBase(fs: FileSystem, path: string): Promise<CheckedBase | undefined> {
  const bytes = await readWhole(fs, path);
  if (bytes === undefined || bytes.length < 2 || bytes[bytes.length - 1] !== NEWLINE) return undefined;
  const endStart = bytes.lastIndexOf(NEWLINE, bytes.length - 2) + 1;
  const end = decodeLine(bytes, endStart, bytes.length - 1);
  if (typeof end === "string" || end.op !== "end" || end.bytes !== endStart || end.crc === undefined) return undefined;
  if (crc32(bytes.subarray(0, endStart)) !== end.crc) return undefined;
  const headerEnd = findNewline(bytes, 0);
  const header = decodeLine(bytes, 0, headerEnd);
  if (typeof header === "string" || !isLoadableHeader(header)) return undefined;
  const keyspace = new Keyspace();
  let entries = 0;
  for (let start = headerEnd + 1; start < endStart; ) {
    const lineEnd = findNewline(bytes, start);
    const fields = cutEntryJson(bytes, start + JSON_START, lineEnd);
    if (fields === undefined || entrySeqProblem(fields.seq, header.seq) !== undefined) return undefined;
    if (!keyspace.addFromBase(fields.key, bytes, fields.valueStart, fields.valueEnd, fields.seq, lineEnd + 1 - start)) return undefined;
    entries += 1;
    start = lineEnd + 1;
  }
  if (entries !== end.entries) return undefined;
  keyspace.advanceTo(header.seq);
  return { keyspace, header, source: bytes, bytes: bytes.length };
}

/** A base header of this format version: anything else is for the line-by-line reader to judge. */
function isLoadableHeader(record: Exclude<ReturnType<typeof decodeLine>, string>): record is HeaderRecord {
  return record.op === "header" && record.v === FORMAT_VERSION && record.kind === "base";
}

/**
 * The whole file, if it may be a checked base: its last line, read first, must be an end marker that
 * carries a checksum. A base written before the marker carried one (the first open after an
 * upgrade) or a salvaged one is left to the line reader without being read whole first.
 */
async function readWhole(fs: FileSystem, path: string): Promise<Buffer | undefined> {
  const handle = await fs.open(path, "r");
  try {
    const size = await handle.size();
    if (size > CHECKED_BASE_BYTES_MAX) return undefined;
    const tailStart = Math.max(0, size - END_MARKER_PROBE_BYTES);
    const tail = await readRange(handle, tailStart, size);
    if (tail === undefined || !endsWithCheckedMarker(tail)) return undefined;
    return tailStart === 0 ? tail : await readRange(handle, 0, size);
  } finally {
    await handle.close();
  }
}

function endsWithCheckedMarker(tail: Buffer): boolean {
  if (tail.length < 2 || tail[tail.length - 1] !== NEWLINE) return false;
  const lineStart = tail.lastIndexOf(NEWLINE, tail.length - 2) + 1;
  if (lineStart === 0) return false; // no line break before it within the probe: not a marker line
  const end = decodeLine(tail, lineStart, tail.length - 1);
  return typeof end !== "string" && end.op === "end" && end.crc !== undefined;
}

async function readRange(handle: FileHandle, from: number, to: number): Promise<Buffer | undefined> {
  const bytes = Buffer.allocUnsafe(to - from);
  for (let filled = 0; filled < bytes.length; ) {
    const count = await handle.read(bytes, filled, bytes.length - filled, from + filled);
    if (count === 0) return undefined; // shorter than its size said: let the line reader look
    filled += count;
  }
  return bytes;
}
