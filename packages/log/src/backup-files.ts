import { join } from "node:path";
import { Readable, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { isErrno, type FileSystem } from "@store/fs";
import { BACKUPS_FOLDER } from "./files.js";
import { decodeLine, findNewline, type LogRecord } from "./format.js";

/**
 * The files a compaction replaced, kept gzipped in `backups/` as `<compaction number>-<file name>.gz`
 * (compaction.ts writes them; the newest `backupsMax` compactions are kept). Read here for tools:
 * verify checks they are readable, a follower reads retired segments from them.
 */
export interface BackupFile {
  readonly path: string;
  readonly name: string;
  /** The compaction that retired it (the number of the base it wrote). */
  readonly compaction: number;
  /** The retired file's own name (`000003.log`, `000002.base`). */
  readonly fileName: string;
  readonly kind: "base" | "segment";
  /** Its number (the shared counter of segments and bases). */
  readonly fileNumber: number;
}

const BACKUP_NAME = /^(\d+)-(\d+)\.(log|base)\.gz$/;
const READ_CHUNK_BYTES = 1024 * 1024;

/** The backups of `dir`, oldest compaction first; none when there is no `backups/` folder. */
export async function listBackups(fs: FileSystem, dir: string): Promise<BackupFile[]> {
  const folder = join(dir, BACKUPS_FOLDER);
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return [];
    throw error;
  }
  const backups: BackupFile[] = [];
  for (const name of names) {
    const match = BACKUP_NAME.exec(name);
    if (match === null) continue;
    const [, compaction, fileNumber, suffix] = match as unknown as [string, string, string, "log" | "base"];
    backups.push({ path: join(folder, name), name, compaction: Number(compaction), fileName: `${fileNumber}.${suffix}`, kind: suffix === "log" ? "segment" : "base", fileNumber: Number(fileNumber) });
  }
  return backups.sort((a, b) => a.compaction - b.compaction || a.fileNumber - b.fileNumber);
}

/** A line of a backup: a record, or why the line is damaged; `offset` counts decompressed bytes. */
export type BackupLine = { readonly offset: number; readonly record: LogRecord } | { readonly offset: number; readonly problem: string; readonly notGzip?: true };

/**
 * The lines of a gzipped backup, decompressed as a stream (memory stays at a chunk, whatever the
 * file's size). A retired file is sealed, so every line must be a whole record; zeros after the last
 * line are preallocated free space. A file that is not gzip, or is cut short, ends with a problem.
 */
export async function* readBackupLines(fs: FileSystem, path: string): AsyncGenerator<BackupLine> {
  const handle = await fs.open(path, "r");
  try {
    async function* compressed(): AsyncGenerator<Buffer> {
      for (let position = 0; ; ) {
        const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
        const count = await handle.read(buffer, 0, buffer.length, position);
        if (count === 0) return;
        position += count;
        yield buffer.subarray(0, count);
      }
    }
    // pipeline: a read error or a gzip error ends the iteration below with that error; destroy stops both.
    const gunzip = pipeline(Readable.from(compressed()), createGunzip(), () => undefined);
    let carry: Buffer = Buffer.alloc(0);
    let base = 0;
    try {
      for await (const chunk of gunzip as AsyncIterable<Buffer>) {
        const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
        let start = 0;
        for (let newline = findNewline(bytes, 0); newline !== -1; newline = findNewline(bytes, start)) {
          yield lineOf(bytes, start, newline, base);
          start = newline + 1;
        }
        carry = bytes.subarray(start);
        base += start;
      }
    } catch (error) {
      yield { offset: base + carry.length, problem: `it does not decompress (${error instanceof Error ? error.message : String(error)})`, notGzip: true };
      return;
    } finally {
      gunzip.destroy();
    }
    if (carry.some((byte) => byte !== 0)) yield { offset: base, problem: "the last line has no newline" };
  } finally {
    await handle.close();
  }
}

function lineOf(bytes: Buffer, start: number, end: number, base: number): BackupLine {
  const decoded = decodeLine(bytes, start, end);
  return typeof decoded === "string" ? { offset: base + start, problem: decoded } : { offset: base + start, record: decoded };
}
