import { JSON_START, checksumProblem, parseRecord, type LogRecord } from "./format.js";
import * as layout from "./record-layout.js";

/**
 * A `set` or base `entry` record whose value is left as JSON text in the bytes it was read from:
 * opening a store parses a value only when its key is first read, and makes no string of it.
 */
export type RawValueRecord = RawValue<"set"> | RawValue<"entry">;

interface RawValue<Op extends "set" | "entry"> {
  readonly op: Op;
  readonly seq: number;
  readonly key: string;
  /** The value's JSON text is `source[valueStart, valueEnd)`: the buffer the line was read into. */
  readonly source: Buffer;
  readonly valueStart: number;
  readonly valueEnd: number;
}

// The layout's own fields (record-layout.ts writes them), as bytes.
const SET_PREFIX = Buffer.from(layout.SET_PREFIX);
const ENTRY_PREFIX = Buffer.from(layout.ENTRY_PREFIX);
const KEY_FIELD = Buffer.from(layout.KEY_FIELD);
const VALUE_FIELD = Buffer.from(layout.VALUE_FIELD);
const TS_FIELD = Buffer.from(layout.TS_FIELD);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSING_BRACE = 0x7d;

/**
 * `decodeLine` for replay. Lines laid out the way this library writes them
 * (`{"op":"set","seq":N,"key":K,"value":V,"ts":T}`, `{"op":"entry","seq":N,"key":K,"value":V}`) are
 * cut apart without parsing V; anything else (another layout, other ops) takes the full parse.
 * The checksum is verified first either way, so a cut is only ever made in bytes this library wrote.
 */
export function decodeLineForReplay(bytes: Buffer, start: number, end: number): LogRecord | RawValueRecord | string {
  const problem = checksumProblem(bytes, start, end);
  if (problem !== undefined) return problem;
  const json = start + JSON_START;
  if (startsWith(bytes, json, SET_PREFIX)) return cutRecord(bytes, json + SET_PREFIX.length, end, "set") ?? parseRecord(bytes, start, end);
  if (startsWith(bytes, json, ENTRY_PREFIX)) return cutRecord(bytes, json + ENTRY_PREFIX.length, end, "entry") ?? parseRecord(bytes, start, end);
  return parseRecord(bytes, start, end);
}

function cutRecord(bytes: Buffer, seqStart: number, end: number, op: "set" | "entry"): RawValueRecord | undefined {
  return cutFields(bytes, seqStart, end, op);
}

/**
 * Cuts the JSON of a base entry, `bytes[start, end)` (the line without checksum and newline), at
 * its fields without checking its checksum: for a base whose bytes one checksum has already
 * covered (base-load.ts). Undefined when it is not an entry laid out as record-layout.ts writes it.
 */
export function cutEntryJson(bytes: Buffer, start: number, end: number): RawValueRecord | undefined {
  return startsWith(bytes, start, ENTRY_PREFIX) ? cutFields(bytes, start + ENTRY_PREFIX.length, end, "entry") : undefined;
}

/** The record's fields, its value left as bytes: the one object made per record (replay makes 500k). */
function cutFields(bytes: Buffer, seqStart: number, end: number, op: "set" | "entry"): RawValueRecord | undefined {
  let position = seqStart;
  let seq = 0;
  while (position < end && bytes[position]! >= 0x30 && bytes[position]! <= 0x39) {
    seq = seq * 10 + (bytes[position]! - 0x30);
    position += 1;
  }
  if (position === seqStart || !Number.isSafeInteger(seq) || !startsWith(bytes, position, KEY_FIELD)) return undefined;
  const keyStart = position + KEY_FIELD.length;
  const keyEnd = stringEnd(bytes, keyStart, end);
  if (keyEnd < 0 || !startsWith(bytes, keyEnd, VALUE_FIELD)) return undefined;
  const key = stringEscaped ? (JSON.parse(bytes.toString("utf8", keyStart, keyEnd)) as string) : bytes.toString("utf8", keyStart + 1, keyEnd - 1);
  const valueStart = keyEnd + VALUE_FIELD.length;
  const valueEnd = op === "set" ? tsFieldStart(bytes, valueStart, end) : end - 1;
  if (valueEnd === undefined || valueEnd <= valueStart || bytes[end - 1] !== CLOSING_BRACE) return undefined;
  return op === "set" ? { op, seq, key, source: bytes, valueStart, valueEnd } : { op, seq, key, source: bytes, valueStart, valueEnd };
}

/** Whether the string `stringEnd` last found has escapes (then only JSON.parse reads it right). */
let stringEscaped = false;

/** Just past the closing quote of the JSON string starting at `start`, or -1; sets `stringEscaped`. */
function stringEnd(bytes: Buffer, start: number, end: number): number {
  if (bytes[start] !== QUOTE) return -1;
  stringEscaped = false;
  for (let position = start + 1; position < end; position += 1) {
    const byte = bytes[position];
    if (byte === BACKSLASH) {
      stringEscaped = true;
      position += 1;
    } else if (byte === QUOTE) return position + 1;
  }
  return -1;
}

/** Where `,"ts":<digits>}` begins at the end of a set record. */
function tsFieldStart(bytes: Buffer, from: number, end: number): number | undefined {
  let position = end - 2;
  while (position > from && bytes[position]! >= 0x30 && bytes[position]! <= 0x39) position -= 1;
  const fieldStart = position - TS_FIELD.length + 1;
  return fieldStart > from && startsWith(bytes, fieldStart, TS_FIELD) ? fieldStart : undefined;
}

/** A plain loop: Buffer.compare with offsets validates its arguments on every call, which costs more than comparing a dozen bytes. */
function startsWith(bytes: Buffer, at: number, prefix: Buffer): boolean {
  if (at + prefix.length > bytes.length) return false;
  for (let index = 0; index < prefix.length; index += 1) if (bytes[at + index] !== prefix[index]) return false;
  return true;
}
