import { nodeFileSystem, type FileSystem, type JsonValue } from "@store/fs";
import { freezeFolder, type FrozenFolder } from "./frozen-folder.js";
import { readLog } from "./read-log.js";

export interface ExportedEntry {
  readonly key: string;
  readonly value: JsonValue;
  /** The seq of the key's last write. */
  readonly version: number;
}

/** The live keys of a folder at one seq, streamed. */
export interface EntryExport {
  /** Every entry is exactly as of this seq: the last write of the files as they were frozen. */
  readonly seq: number;
  /** Keys written since the last compaction (held in memory as key and seq while the export is open). */
  readonly keysSinceBase: number;
  /**
   * The live keys starting with the prefix and their values, each once: first the base's (in its
   * order), then those written since (in the order of their last write). Not sorted by key: sorting
   * would hold every key in memory. Can be iterated again.
   */
  entries(): AsyncGenerator<ExportedEntry>;
  /** Closes the frozen files. Idempotent. */
  close(): Promise<void>;
}

export interface ExportOptions {
  readonly fs?: FileSystem;
  /** Only keys starting with this. Default "". */
  readonly prefix?: string;
}

/**
 * Exports the live keys of a data folder at one consistent seq, read-only and without the lock (safe
 * while the writer runs and compacts: the files are frozen at one instant), in memory that does not
 * grow with the keys of the base: only the keys written since the last compaction are indexed (key
 * and seq, no value).
 *
 * Two passes over the frozen files with `readLog` (so every record is checked as opening checks it):
 * the first notes, for each key written since the base, the seq of its last write (or its deletion);
 * the second streams the base's entries that were not written since, then each key's last write.
 */
export async function exportEntries(dir: string, options: ExportOptions = {}): Promise<EntryExport> {
  const fs = options.fs ?? nodeFileSystem;
  const prefix = options.prefix ?? "";
  if (typeof prefix !== "string") throw new TypeError(`exportEntries() takes a string prefix, got ${typeof prefix}.`);
  const frozen = await freezeFolder(fs, dir);
  try {
    const { seq, lastWrites } = await indexWritesSinceBase(frozen, prefix);
    return {
      seq,
      keysSinceBase: lastWrites.size,
      entries: () => streamEntries(frozen, prefix, seq, lastWrites),
      close: () => frozen.close(),
    };
  } catch (error) {
    await frozen.close();
    throw error;
  }
}

/** Per key written since the base: the seq of its last write, negated for a deletion. */
type LastWrites = Map<string, number>;

async function indexWritesSinceBase(frozen: FrozenFolder, prefix: string): Promise<{ seq: number; lastWrites: LastWrites }> {
  const lastWrites: LastWrites = new Map();
  let seq = 0;
  for await (const { record } of readLog(frozen.dir, { fs: frozen.fs })) {
    switch (record.op) {
      case "header":
        seq = Math.max(seq, record.seq);
        break;
      case "set":
      case "del":
        if (record.key.startsWith(prefix)) lastWrites.set(record.key, record.op === "set" ? record.seq : -record.seq);
        seq = record.seq;
        break;
      case "batch":
        for (const op of record.ops) if (op.key.startsWith(prefix)) lastWrites.set(op.key, op.op === "set" ? record.seq : -record.seq);
        seq = record.seq;
        break;
      default:
        break;
    }
  }
  return { seq, lastWrites };
}

async function* streamEntries(frozen: FrozenFolder, prefix: string, seq: number, lastWrites: LastWrites): AsyncGenerator<ExportedEntry> {
  for await (const { record } of readLog(frozen.dir, { fs: frozen.fs })) {
    switch (record.op) {
      case "entry":
        if (record.key.startsWith(prefix) && !lastWrites.has(record.key)) yield { key: record.key, value: record.value, version: record.seq };
        break;
      case "set":
        if (record.seq > seq) return; // past the frozen end: cannot happen with frozen files, kept as the rule
        if (lastWrites.get(record.key) === record.seq) yield { key: record.key, value: record.value, version: record.seq };
        break;
      case "batch":
        if (record.seq > seq) return;
        for (const op of record.ops) if (op.op === "set" && lastWrites.get(op.key) === record.seq) yield { key: op.key, value: op.value, version: record.seq };
        break;
      default:
        break;
    }
  }
}
