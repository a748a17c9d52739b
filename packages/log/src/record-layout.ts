import { crc32 } from "node:zlib";
import { encodeRecord, type EndRecord } from "./format.js";

/**
 * The one place that lays out the JSON text of the records this library writes (docs/format.md,
 * "Record kinds"): the store's writes, the base's entries and end marker, and the byte prefixes the
 * replay decoder (fast-decode.ts) recognises. Values arrive as JSON text already (a write serializes
 * its value once, when it is validated), so a record is assembled from strings, not stringified
 * again. Field order is part of the layout: the replay decoder cuts records at these fields.
 */

/** `{"op":"set","seq":` ... the fields of a set record, in the order they are written. */
export const SET_PREFIX = '{"op":"set","seq":';
export const ENTRY_PREFIX = '{"op":"entry","seq":';
export const KEY_FIELD = ',"key":';
export const VALUE_FIELD = ',"value":';
export const TS_FIELD = ',"ts":';

export interface ChangeText {
  readonly key: string;
  /** The value's JSON text; undefined for a delete. */
  readonly json?: string | undefined;
  readonly deleted: boolean;
}

export function setJson(seq: number, key: string, valueJson: string, ts: number): string {
  return `${SET_PREFIX}${seq}${KEY_FIELD}${JSON.stringify(key)}${VALUE_FIELD}${valueJson}${TS_FIELD}${ts}}`;
}

export function delJson(seq: number, key: string, ts: number): string {
  return `{"op":"del","seq":${seq}${KEY_FIELD}${JSON.stringify(key)}${TS_FIELD}${ts}}`;
}

/** The `ops` of a batch, once: the seq and ts are added when the write is queued. */
export function batchOpsJson(changes: readonly ChangeText[]): string {
  return changes.map((change) => (change.deleted ? `{"op":"del","key":${JSON.stringify(change.key)}}` : `{"op":"set","key":${JSON.stringify(change.key)},"value":${change.json!}}`)).join(",");
}

export function batchJson(seq: number, opsJson: string, ts: number): string {
  return `{"op":"batch","seq":${seq},"ops":[${opsJson}]${TS_FIELD}${ts}}`;
}

/** A base entry: `version` is the seq of the key's last write. */
export function entryJson(version: number, key: string, valueJson: string): string {
  return `${ENTRY_PREFIX}${version}${KEY_FIELD}${JSON.stringify(key)}${VALUE_FIELD}${valueJson}}`;
}

/**
 * The last line of a base. `covered` is the CRC-32 of every byte before this line and their count:
 * a reader that finds it matching knows every line is as written without checking each line's
 * checksum (docs/format.md, "The base's end marker").
 */
export function endLine(entries: number, covered?: BytesChecksum): Buffer {
  const record: EndRecord = covered === undefined ? { op: "end", entries } : { op: "end", entries, bytes: covered.bytes, crc: covered.crc };
  return encodeRecord(record);
}

/** A running CRC-32 and byte count over the lines of a file being written. */
export class BytesChecksum {
  bytes = 0;
  crc = 0;

  add(chunk: Uint8Array): void {
    this.crc = crc32(chunk, this.crc);
    this.bytes += chunk.length;
  }
}
