import { join } from "node:path";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import { atomicReplace, isErrno, isTempName, mkdirDurable, type FileSystem } from "@store/fs";
import { BACKUPS_FOLDER, basePath } from "./files.js";
import { encodeRecord, frameJson, headerRecord } from "./format.js";
import type { Keyspace } from "./keyspace.js";

const gzip = promisify(gzipCallback);
/** Entries encoded per chunk of a base file: small enough that writers barely notice each one. */
const BASE_CHUNK_ENTRIES = 256;
/** The base is fdatasync'ed as it is written, so its final fsync does not hold up the log's. */
const BASE_SYNC_EVERY_BYTES = 1024 * 1024;
/** Backups favour speed: level 1 still shrinks JSON lines several times. */
const BACKUP_GZIP_LEVEL = 1;
/** Large zlib chunks: fewer round trips to the main thread while a big segment is compressed. */
const GZIP_CHUNK_BYTES = 1024 * 1024;

/**
 * Writes the keyspace's running snapshot as base file `fileNumber`: header, one entry per live key,
 * an end marker with the count. Temp file, fsync, rename, folder fsync: after a crash the folder has
 * the whole new base or none. Between chunks the event loop runs, so writers keep going.
 */
export async function writeBase(fs: FileSystem, dir: string, fileNumber: number, keyspace: Keyspace): Promise<number> {
  let bytes = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const header = encodeRecord(headerRecord("base", keyspace.snapshotSeq, Date.now()));
    bytes += header.length;
    yield header;
    let entries = 0;
    for (const chunk of keyspace.snapshotEntries(BASE_CHUNK_ENTRIES)) {
      const lines = chunk.map((entry) => frameJson(`{"op":"entry","seq":${entry.version},"key":${JSON.stringify(entry.key)},"value":${entry.json}}`));
      const buffer = Buffer.concat(lines);
      entries += chunk.length;
      bytes += buffer.length;
      yield buffer;
      // Let queued commits run between chunks even when the write completes at once.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const end = encodeRecord({ op: "end", entries });
    bytes += end.length;
    yield end;
  }
  await atomicReplace(fs, basePath(dir, fileNumber), chunks(), { syncEveryBytes: BASE_SYNC_EVERY_BYTES });
  return bytes;
}

/**
 * Moves files a compaction replaced into `backups/`, gzipped and named after the compaction
 * (`<base number>-<file name>.gz`), then removes them from the data folder and keeps only the newest
 * `backupsMax` compactions' backups. Each backup is durable before its original is unlinked.
 */
export async function retireFiles(fs: FileSystem, dir: string, names: readonly string[], compactionNumber: number, backupsMax: number): Promise<void> {
  if (names.length === 0) return;
  const backupsDir = join(dir, BACKUPS_FOLDER);
  if (backupsMax > 0) {
    await mkdirDurable(fs, backupsDir);
    const tag = String(compactionNumber).padStart(6, "0");
    for (const name of names) {
      await atomicReplace(fs, join(backupsDir, `${tag}-${name}.gz`), await gzip(await fs.readFile(join(dir, name)), { level: BACKUP_GZIP_LEVEL, chunkSize: GZIP_CHUNK_BYTES }));
    }
  }
  for (const name of names) await unlinkIfPresent(fs, join(dir, name));
  await fs.fsyncDir(dir);
  await pruneBackups(fs, backupsDir, backupsMax);
}

const BACKUP_NAME = /^(\d+)-.+\.gz$/;

/** Keeps the newest `backupsMax` compactions' backups; also removes temp files of interrupted ones. */
async function pruneBackups(fs: FileSystem, backupsDir: string, backupsMax: number): Promise<void> {
  if ((await fs.stat(backupsDir)) === undefined) return;
  const names = await fs.readdir(backupsDir);
  const tagOf = (name: string): string | undefined => BACKUP_NAME.exec(name)?.[1];
  const tags = [...new Set(names.map(tagOf).filter((tag) => tag !== undefined))].sort();
  const keep = new Set(backupsMax === 0 ? [] : tags.slice(-backupsMax));
  const doomed = names.filter((name) => {
    const tag = tagOf(name);
    return tag === undefined ? isTempName(name) : !keep.has(tag);
  });
  for (const name of doomed) await unlinkIfPresent(fs, join(backupsDir, name));
  if (doomed.length > 0) await fs.fsyncDir(backupsDir);
}

async function unlinkIfPresent(fs: FileSystem, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
}
