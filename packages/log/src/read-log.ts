import { CorruptionError, StoreError, isErrno, nodeFileSystem, type FileSystem } from "@store/fs";
import { basePath, listDataFiles, segmentPath } from "./files.js";
import { assertStoreFolder } from "./folder-check.js";
import type { FileKind, HeaderRecord, LogRecord } from "./format.js";
import { pinFiles } from "./pinned-files.js";
import { closeEarly, readRecordChunks, type ScanResult } from "./reader.js";
import { FileChain, assertSupportedVersion, classifyDamage, entrySeqProblem, headerProblem } from "./replay-rules.js";

export interface LogEntry {
  readonly path: string;
  readonly offset: number;
  readonly record: LogRecord;
}

/** How many times the folder is listed again when a file listed is gone before anything was read. */
const LISTINGS_MAX = 10;

/**
 * Every record of a data folder in replay order (the newest base, then the segments after it), for
 * tools: inspect, verify, export, follow. Reads only; takes no lock. It holds the folder to the
 * rules opening a store does: a torn tail at the end of the last segment ends the iteration quietly;
 * any other damage, a record out of seq order or a file that is not ours throws STORE_CORRUPTED
 * with file and offset; a newer format, STORE_UNSUPPORTED_FORMAT; a file-system failure, STORE_IO.
 * The files are opened together when the iteration starts, so a writer compacting the folder
 * meanwhile does not disturb it. Breaking out of the loop closes them.
 */
export async function* readLog(dir: string, options: { fs?: FileSystem } = {}): AsyncGenerator<LogEntry> {
  const fs = options.fs ?? nodeFileSystem;
  let yielded = false;
  for (let listing = 1; ; listing += 1) {
    try {
      // As a read-only open does: a folder that is not a store is refused, not read as an empty one.
      await assertStoreFolder(fs, dir);
      const paths = await liveFiles(fs, dir);
      // Opened together at once: a writer compacting meanwhile may unlink them, not take their bytes.
      const pinned = await pinFiles(fs, paths);
      try {
        const order = new OrderCheck();
        for (const [index, path] of paths.entries()) {
          for await (const entry of fileEntries(pinned.fs, path, index === paths.length - 1, order)) {
            yielded = true;
            yield entry;
          }
        }
      } finally {
        await pinned.close();
      }
      return;
    } catch (error) {
      // A writer compacting the folder retired a file between the listing and its opening: list again.
      if (!yielded && listing < LISTINGS_MAX && isErrno(error, "ENOENT") && error.path !== dir) continue;
      throw asReadError(error, dir);
    }
  }
}

async function liveFiles(fs: FileSystem, dir: string): Promise<string[]> {
  const files = await listDataFiles(fs, dir);
  const baseNumber = files.bases.at(-1);
  return [
    ...(baseNumber === undefined ? [] : [basePath(dir, baseNumber)]),
    ...files.segments.filter((fileNumber) => fileNumber >= (baseNumber ?? 0)).map((fileNumber) => segmentPath(dir, fileNumber)),
  ];
}

async function* fileEntries(fs: FileSystem, path: string, isLast: boolean, order: OrderCheck): AsyncGenerator<LogEntry> {
  const kind: FileKind = path.endsWith(".base") ? "base" : "segment";
  order.startFile(kind);
  const chunks = readRecordChunks(fs, path);
  try {
    for (;;) {
      const next = await chunks.next();
      if (next.done === true) {
        await checkEnd(fs, next.value, { kind, isLast, unsynced: isLast && order.unsynced }, order);
        return;
      }
      for (const { record, offset } of next.value) {
        order.check(record, path, offset);
        yield { path, offset, record };
      }
    }
  } finally {
    await closeEarly(chunks); // a caller that breaks out must not leave the file open until GC
  }
}

async function checkEnd(fs: FileSystem, scan: ScanResult, where: { kind: FileKind; isLast: boolean; unsynced: boolean }, order: OrderCheck): Promise<void> {
  const { path } = scan;
  const damage = scan.damage[0];
  const verdict = await classifyDamage(fs, scan, where);
  if (verdict === "not-ours") throw new CorruptionError(`${path} is not a file @store/log wrote: its first line is not a store-log header.`, { path, offset: 0 });
  if (damage !== undefined && verdict === "corruption") throw new CorruptionError(`${path} is damaged at byte ${damage.offset}: ${damage.reason}.`, { path, offset: damage.offset });
  const problem = order.endProblem();
  if (damage === undefined && problem !== undefined) throw new CorruptionError(`${path} is damaged at byte ${scan.size}: ${problem}.`, { path, offset: scan.size });
}

/** The format's order rules (replay-rules.ts) across the files of one pass. */
class OrderCheck {
  readonly #chain = new FileChain();
  #kind: FileKind = "segment";
  #header: HeaderRecord | undefined;
  #entries = 0;
  #endCount: number | undefined;

  get unsynced(): boolean {
    return (this.#header?.sync ?? "always") !== "always";
  }

  startFile(kind: FileKind): void {
    this.#kind = kind;
    this.#header = undefined;
    this.#entries = 0;
    this.#endCount = undefined;
  }

  check(record: LogRecord, path: string, offset: number): void {
    const problem = this.#problem(record, path);
    if (problem !== undefined) throw new CorruptionError(`${path} is damaged at byte ${offset}: ${problem}.`, { path, offset });
  }

  /** At a file's end: a base must end with its end marker, counting its entries. */
  endProblem(): string | undefined {
    if (this.#kind === "segment") {
      if (this.#header === undefined) this.#chain.headerless();
      return undefined;
    }
    if (this.#endCount === undefined) return "the end marker is missing";
    return this.#endCount === this.#entries ? undefined : `the end marker counts ${this.#endCount} entries, the file has ${this.#entries}`;
  }

  #problem(record: LogRecord, path: string): string | undefined {
    const header = this.#header;
    if (header === undefined) {
      if (record.op === "header") assertSupportedVersion(record, path);
      return headerProblem(record, this.#kind) ?? this.#startFile(record as HeaderRecord);
    }
    if (this.#kind === "base") {
      if (record.op === "end") this.#endCount = record.entries;
      else if (record.op !== "entry") return `unexpected "${record.op}" record in a base file`;
      else this.#entries += 1;
      return record.op === "entry" ? entrySeqProblem(record.seq, header.seq) : undefined;
    }
    if (record.op !== "set" && record.op !== "del" && record.op !== "batch") return `unexpected "${record.op}" record in a segment`;
    return this.#chain.record(record.seq, header.salvaged === true);
  }

  #startFile(header: HeaderRecord): string | undefined {
    this.#header = header;
    if (this.#kind === "segment") return this.#chain.startSegment(header);
    this.#chain.startBase(header);
    return undefined;
  }
}

function asReadError(error: unknown, dir: string): unknown {
  if (error instanceof StoreError || !isErrno(error)) return error;
  const path = error.path ?? dir;
  const advice = isErrno(error, "ENOENT") ? "A writer compacting the folder kept retiring its files: read it again." : "Fix the cause and read again.";
  return new StoreError("STORE_IO", `Reading the log in ${dir} failed: ${error.message}. ${advice}`, { path, cause: error });
}
