import { crc32 } from "node:zlib";
import type { JsonValue } from "@store/fs";

/**
 * One record per line: 8 lowercase hex digits of the CRC-32 of the JSON bytes, a space, the JSON,
 * a newline. JSON.stringify never emits a raw newline, so a newline always ends a record, lines stay
 * greppable, and a reader can resynchronise after damage. docs/format.md has the grammar and why.
 */
export const FORMAT_NAME = "store-log";
export const FORMAT_VERSION = 1;
const CHECKSUM_DIGITS = 8;
/** Checksum, space: the JSON starts this many bytes into a line. */
export const JSON_START = CHECKSUM_DIGITS + 1;
const NEWLINE = 0x0a;
const SPACE = 0x20;

export type FileKind = "segment" | "base";

/**
 * First line of every file. `seq`: for a segment, the last seq before its first record; for a base,
 * the seq its state reflects. `sync`: the sync mode a segment is written with, when not "always":
 * recovery then knows that damage in it may be unsynced pages written out of order.
 */
export interface HeaderRecord {
  readonly op: "header";
  readonly format: typeof FORMAT_NAME;
  readonly v: number;
  readonly kind: FileKind;
  readonly seq: number;
  readonly ts: number;
  readonly sync?: "interval" | "none";
  /** Set when `onCorruption: "salvage"` rewrote the file: records may be missing before and in it. */
  readonly salvaged?: true;
}
export type BatchOpRecord = { readonly op: "set"; readonly key: string; readonly value: JsonValue } | { readonly op: "del"; readonly key: string };
export interface SetRecord { readonly op: "set"; readonly seq: number; readonly key: string; readonly value: JsonValue; readonly ts: number }
export interface DelRecord { readonly op: "del"; readonly seq: number; readonly key: string; readonly ts: number }
export interface BatchRecord { readonly op: "batch"; readonly seq: number; readonly ops: readonly BatchOpRecord[]; readonly ts: number }
/** A live key in a base file; `seq` is the key's version (the seq of its last write). */
export interface EntryRecord { readonly op: "entry"; readonly seq: number; readonly key: string; readonly value: JsonValue }
/**
 * Last line of a base file: a base without it is incomplete. `bytes` and `crc` (written since
 * @store/log 0.x, absent before): the count and CRC-32 of every byte before this line.
 */
export interface EndRecord { readonly op: "end"; readonly entries: number; readonly bytes?: number; readonly crc?: number }

export type WriteRecord = SetRecord | DelRecord | BatchRecord;
export type LogRecord = HeaderRecord | WriteRecord | EntryRecord | EndRecord;

/** Frames a record as one checksummed line. */
export function encodeRecord(record: LogRecord): Buffer {
  return frameJson(JSON.stringify(record));
}

/** Frames the JSON text of a record (which must be one JSON object, as JSON.stringify writes it). */
export function frameJson(json: string): Buffer {
  const line = Buffer.allocUnsafe(framedBytes(Buffer.byteLength(json, "utf8")));
  frameJsonInto(line, 0, json);
  return line;
}

/** Bytes of a framed line whose JSON text is `jsonBytes` long. */
export function framedBytes(jsonBytes: number): number {
  return JSON_START + jsonBytes + 1;
}

/**
 * Frames `json` into `target` at `offset`, which must have room for `framedBytes` of its UTF-8
 * length (at most 3 bytes per UTF-16 unit). Returns the line's length. Lets a writer of many lines
 * (a base) fill one buffer instead of allocating one per line.
 */
export function frameJsonInto(target: Buffer, offset: number, json: string): number {
  const jsonBytes = target.write(json, offset + JSON_START, "utf8");
  const checksum = crc32(target.subarray(offset + JSON_START, offset + JSON_START + jsonBytes));
  target.write(checksum.toString(16).padStart(CHECKSUM_DIGITS, "0"), offset, "latin1");
  target[offset + CHECKSUM_DIGITS] = SPACE;
  target[offset + JSON_START + jsonBytes] = NEWLINE;
  return framedBytes(jsonBytes);
}

export function headerRecord(kind: FileKind, seq: number, ts: number, sync: "always" | "interval" | "none" = "always"): HeaderRecord {
  const header: HeaderRecord = { op: "header", format: FORMAT_NAME, v: FORMAT_VERSION, kind, seq, ts };
  return sync === "always" ? header : { ...header, sync };
}

/**
 * Decodes the line `bytes[start, end)` (without its newline). Returns the record, or a string saying
 * why the line is damaged. Never throws on any input.
 */
export function decodeLine(bytes: Buffer, start: number, end: number): LogRecord | string {
  return checksumProblem(bytes, start, end) ?? parseRecord(bytes, start, end);
}

/** Why the line's checksum does not hold, or undefined when it does. */
export function checksumProblem(bytes: Buffer, start: number, end: number): string | undefined {
  if (end - start < JSON_START + 2) return "line too short to be a record";
  if (bytes[start + CHECKSUM_DIGITS] !== SPACE) return "no space after the checksum";
  const expected = parseHex(bytes, start);
  if (expected < 0) return "checksum is not 8 lowercase hex digits";
  if (crc32(bytes.subarray(start + JSON_START, end)) !== expected) return "checksum mismatch";
  return undefined;
}

/** Parses the JSON of a line whose checksum holds. */
export function parseRecord(bytes: Buffer, start: number, end: number): LogRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8", start + JSON_START, end));
  } catch {
    return "checksum matches but the JSON does not parse";
  }
  return isRecord(parsed) ? parsed : "checksum matches but the record has an unknown shape";
}

const CLOSING_BRACE = 0x7d;

/**
 * Finds a whole record at the start of the damaged line `bytes[start, end)`: a record whose newline
 * was damaged runs into the next line. Every record is a JSON object, so it ends with "}"; the CRC
 * is carried forward from brace to brace, so the search is linear in the line's length.
 */
export function findRecordEnd<R>(
  bytes: Buffer,
  start: number,
  end: number,
  decode: (bytes: Buffer, start: number, end: number) => R | string,
): { record: R; end: number } | undefined {
  const expected = parseHex(bytes, start);
  if (expected < 0 || bytes[start + CHECKSUM_DIGITS] !== SPACE) return undefined;
  let checksum = 0;
  let checkedTo = start + JSON_START;
  for (let brace = bytes.indexOf(CLOSING_BRACE, checkedTo); brace !== -1 && brace < end - 1; brace = bytes.indexOf(CLOSING_BRACE, brace + 1)) {
    checksum = crc32(bytes.subarray(checkedTo, brace + 1), checksum);
    checkedTo = brace + 1;
    if (checksum !== expected) continue;
    const record = decode(bytes, start, brace + 1);
    if (typeof record !== "string") return { record, end: brace + 1 };
  }
  return undefined;
}

function parseHex(bytes: Buffer, start: number): number {
  let value = 0;
  for (let index = start; index < start + CHECKSUM_DIGITS; index += 1) {
    const byte = bytes[index]!;
    const digit = byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : byte >= 0x61 && byte <= 0x66 ? byte - 0x57 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

function isRecord(value: unknown): value is LogRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  const seqOk = Number.isSafeInteger(record.seq) && (record.seq as number) >= 0;
  switch (record.op) {
    case "set":
    case "entry":
      return seqOk && typeof record.key === "string" && "value" in record;
    case "del":
      return seqOk && typeof record.key === "string";
    case "batch":
      return seqOk && Array.isArray(record.ops) && record.ops.every(isBatchOp);
    case "header":
      // Another format version may lay its header out differently: it only has to say which it is.
      if (record.format !== FORMAT_NAME || typeof record.v !== "number") return false;
      return record.v !== FORMAT_VERSION || ((record.kind === "segment" || record.kind === "base") && seqOk);
    case "end":
      return Number.isSafeInteger(record.entries);
    default:
      return false;
  }
}

function isBatchOp(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const op = value as Record<string, unknown>;
  if (typeof op.key !== "string") return false;
  return (op.op === "set" && "value" in op) || op.op === "del";
}

export function findNewline(bytes: Buffer, from: number): number {
  return bytes.indexOf(NEWLINE, from);
}
