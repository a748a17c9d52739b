import type { FileSystem } from "@store/fs";
import { decodeLine, findNewline, findRecordEnd } from "./format.js";
import { findDataEnd } from "./reader.js";

/**
 * What a file named like a segment or a base holds, judged by its first bytes, so that a file this
 * library did not write is never cut, rewritten or retired as if it were a damaged one of its own:
 *
 * - `records`: it starts with a record of this format (a header, or another record whose checksum
 *   holds, or the start of one: 8 hex digits, a space, `{"op":"`). Ours, whatever damage follows.
 * - `empty`: nothing but zeros, or nothing.
 * - `torn-header`: what an interrupted segment creation of an earlier version (a header cut short)
 *   or one flipped bit leaves of a header line: it agrees with a header's fixed opening in every
 *   byte it has, or in all but one of at least SLACK_MIN_BYTES.
 * - `foreign`: anything else. Not ours: refused, or moved to `damaged/` by salvage, never changed.
 */
export type FileShape = "records" | "empty" | "torn-header" | "foreign";

/** Headers are about 120 bytes; the opening of the longest first line worth looking at. */
const HEAD_BYTES = 4096;
const HEX_DIGITS = 8;
const RECORD_OPENING = Buffer.from(' {"op":"');
const HEADER_OPENING = Buffer.from(' {"op":"header","format":"store-log","v":');
/** A header fragment this long may differ in one byte (a flipped bit); a shorter one in none. */
const SLACK_MIN_BYTES = 16;

export async function fileShape(fs: FileSystem, path: string): Promise<FileShape> {
  const handle = await fs.open(path, "r");
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const read = await handle.read(head, 0, HEAD_BYTES, 0);
    const bytes = head.subarray(0, read);
    if (startsWithRecord(bytes)) return "records";
    const dataEnd = await findDataEnd(handle, await handle.size());
    if (dataEnd === 0) return "empty";
    return looksLikeHeader(bytes.subarray(0, Math.min(dataEnd, bytes.length))) ? "torn-header" : "foreign";
  } finally {
    await handle.close();
  }
}

function startsWithRecord(bytes: Buffer): boolean {
  const newline = findNewline(bytes, 0);
  const lineEnd = newline === -1 ? bytes.length : newline;
  if (newline !== -1 && typeof decodeLine(bytes, 0, lineEnd) !== "string") return true;
  // A record whose newline was damaged runs into the next line.
  if (findRecordEnd(bytes, 0, lineEnd, decodeLine) !== undefined) return true;
  return isHex(bytes, 0, HEX_DIGITS) && bytes.subarray(HEX_DIGITS, HEX_DIGITS + RECORD_OPENING.length).equals(RECORD_OPENING);
}

function looksLikeHeader(bytes: Buffer): boolean {
  const compared = Math.min(bytes.length, HEX_DIGITS + HEADER_OPENING.length);
  let mismatches = 0;
  for (let index = 0; index < compared; index += 1) {
    const byte = bytes[index]!;
    const expected = index < HEX_DIGITS ? isHexByte(byte) : byte === HEADER_OPENING[index - HEX_DIGITS];
    if (!expected) mismatches += 1;
  }
  return mismatches === 0 || (mismatches === 1 && compared >= SLACK_MIN_BYTES);
}

function isHex(bytes: Buffer, start: number, length: number): boolean {
  if (bytes.length < start + length) return false;
  for (let index = start; index < start + length; index += 1) if (!isHexByte(bytes[index]!)) return false;
  return true;
}

function isHexByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66);
}
