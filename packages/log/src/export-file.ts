import type { EntryExport } from "./export-entries.js";

/**
 * The export file: what `exportLines` writes and `importEntries` reads back. Both formats put one
 * entry per line, so a file streams out and a reader (or `grep`, `jq -c`) can take it line by line.
 *
 * jsonl:
 *   {"format":"store-export","v":1,"seq":42,"exportedAt":"2026-11-25T18:00:00.000Z"}
 *   {"key":"players/1","value":{"name":"Bo"},"version":4}
 *   {"end":true,"entries":1}
 * json (one document):
 *   {"format":"store-export","v":1,"seq":42,"exportedAt":"...","entries":[
 *   {"key":"players/1","value":{"name":"Bo"},"version":4}
 *   ],"count":1}
 *
 * The last line carries the count, so a file cut short (a full disk, a broken pipe) is told apart
 * from a complete one and refused by the importer.
 */
export const EXPORT_FORMAT = "store-export";
export const EXPORT_VERSION = 1;
export const EXPORT_FORMATS = ["jsonl", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportHeader {
  readonly format: typeof EXPORT_FORMAT;
  readonly v: number;
  /** The seq every entry of the file is as of. */
  readonly seq: number;
  readonly exportedAt: string;
}

/** The lines of an export file (each with its newline), streamed from `exported`. */
export async function* exportLines(exported: EntryExport, format: ExportFormat, now: Date = new Date()): AsyncGenerator<string> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new TypeError(`exportLines() takes the format "jsonl" or "json", got ${JSON.stringify(format)}.`);
  const header: ExportHeader = { format: EXPORT_FORMAT, v: EXPORT_VERSION, seq: exported.seq, exportedAt: now.toISOString() };
  const headerJson = JSON.stringify(header);
  let count = 0;
  if (format === "jsonl") {
    yield `${headerJson}\n`;
    for await (const entry of exported.entries()) {
      count += 1;
      yield `${JSON.stringify(entry)}\n`;
    }
    yield `${JSON.stringify({ end: true, entries: count })}\n`;
    return;
  }
  yield `${headerJson.slice(0, -1)},"entries":[\n`;
  // Each entry's comma is written once the next one is known, so the last has none.
  let previous: string | undefined;
  for await (const entry of exported.entries()) {
    count += 1;
    if (previous !== undefined) yield `${previous},\n`;
    previous = JSON.stringify(entry);
  }
  if (previous !== undefined) yield `${previous}\n`;
  yield `],"count":${count}}\n`;
}
