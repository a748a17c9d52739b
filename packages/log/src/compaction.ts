import { join } from "node:path";
import { Readable, pipeline } from "node:stream";
import { createGzip } from "node:zlib";
import { atomicReplace, isErrno, isTempName, mkdirDurable, type FileHandle, type FileSystem } from "@store/fs";
import { BACKUPS_FOLDER, basePath } from "./files.js";
import { encodeRecord, framedBytes, frameJsonInto, headerRecord } from "./format.js";
import { BytesChecksum, endLine, entryJson } from "./record-layout.js";
import type { Keyspace, SnapshotEntry } from "./keyspace.js";

/**
 * Main-thread work between two turns of the event loop while a base is encoded. A writer's commit
 * waits at most this long for the compaction's code (measured: about 1.5 to 3.5 µs per ~250-byte
 * entry, so a slice is 100 to 200 entries; docs in the README's "How fast").
 */
const BASE_SLICE_MS = 0.25;
/** Entries taken from the snapshot between two looks at the clock. */
const BASE_SLICE_STEP_ENTRIES = 16;
/** A slice also ends at this size: the bytes of one write(2) of the base. */
const BASE_WRITE_BYTES_MAX = 64 * 1024;
/**
 * The base is fdatasync'ed as it is written, so its final fsync does not hold up the log's; in small
 * steps, because the log's own fdatasync on the same disk waits behind what the base's is flushing.
 */
const BASE_SYNC_EVERY_BYTES = 256 * 1024;
/** Backups favour speed: level 1 still shrinks JSON lines several times. */
const BACKUP_GZIP_LEVEL = 1;
/** A retired file is read and compressed this much at a time: memory stays small whatever its size. */
const BACKUP_CHUNK_BYTES = 1024 * 1024;

/**
 * Writes the keyspace's running snapshot as base file `fileNumber`: header, one entry per live key,
 * an end marker with the count and the checksum of all the lines before it. Temp file, fsync, rename, folder fsync: after a crash the folder has
 * the whole new base or none. The entries are encoded in slices of at most BASE_SLICE_MS of work,
 * each followed by a turn of the event loop, so a writer's commit never waits longer than a slice.
 */
export async function writeBase(fs: FileSystem, dir: string, fileNumber: number, keyspace: Keyspace): Promise<number> {
  const covered = new BytesChecksum();
  let endBytes = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const header = encodeRecord(headerRecord("base", keyspace.snapshotSeq, Date.now()));
    covered.add(header);
    yield header;
    let entries = 0;
    for (const slice of slices(keyspace.snapshotEntries(BASE_SLICE_STEP_ENTRIES))) {
      entries += slice.entries;
      covered.add(slice.bytes);
      yield slice.bytes;
      // Let queued commits run between slices even when the write completes at once.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const end = endLine(entries, covered);
    endBytes = end.length;
    yield end;
  }
  await atomicReplace(fs, basePath(dir, fileNumber), chunks(), { syncEveryBytes: BASE_SYNC_EVERY_BYTES });
  return covered.bytes + endBytes;
}

/**
 * The snapshot's entries encoded, a slice at a time: a slice ends after BASE_SLICE_MS of work or
 * once it holds BASE_WRITE_BYTES_MAX. Lines are framed into one scratch buffer, and each slice is
 * copied out of it at its exact size: no buffer per line, and no more memory than the base's bytes.
 */
function* slices(steps: Iterable<SnapshotEntry[]>): Generator<{ readonly bytes: Buffer; readonly entries: number }> {
  const slice = new SliceBuffer();
  let startedAt = performance.now();
  for (const step of steps) {
    for (const entry of step) {
      slice.add(entryJson(entry.version, entry.key, entry.json));
      if (slice.size < BASE_WRITE_BYTES_MAX) continue;
      yield slice.take();
      startedAt = performance.now();
    }
    if (slice.size === 0 || performance.now() - startedAt < BASE_SLICE_MS) continue;
    yield slice.take();
    startedAt = performance.now();
  }
  if (slice.size > 0) yield slice.take();
}

/** Framed lines gathered in a scratch buffer that grows for a large entry and is reused. */
class SliceBuffer {
  #scratch = Buffer.allocUnsafe(BASE_WRITE_BYTES_MAX + 16 * 1024);
  size = 0;
  #entries = 0;

  add(json: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: room is made without measuring the text.
    const room = framedBytes(json.length * 3);
    if (this.size + room > this.#scratch.length) {
      const grown = Buffer.allocUnsafe(this.size + room);
      this.#scratch.copy(grown, 0, 0, this.size);
      this.#scratch = grown;
    }
    this.size += frameJsonInto(this.#scratch, this.size, json);
    this.#entries += 1;
  }

  /** The lines so far, copied out (the file-system seam may keep what it is given), and a fresh start. */
  take(): { readonly bytes: Buffer; readonly entries: number } {
    const taken = { bytes: Buffer.from(this.#scratch.subarray(0, this.size)), entries: this.#entries };
    this.size = 0;
    this.#entries = 0;
    return taken;
  }
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
      // Synced as it is written, as the base is: one fsync of a whole 64 MiB segment's backup would hold up the log's.
      await atomicReplace(fs, join(backupsDir, `${tag}-${name}.gz`), gzipped(fs, join(dir, name)), { syncEveryBytes: BASE_SYNC_EVERY_BYTES });
    }
  }
  for (const name of names) await unlinkIfPresent(fs, join(dir, name));
  await fs.fsyncDir(dir);
  await pruneBackups(fs, backupsDir, backupsMax);
}

/**
 * The file at `path`, gzipped, as a stream of chunks: read through the file-system seam a chunk at a
 * time, so a 64 MiB segment never sits in memory whole (nor makes the garbage collector pause for it).
 */
async function* gzipped(fs: FileSystem, path: string): AsyncGenerator<Buffer> {
  const handle = await fs.open(path, "r");
  try {
    // pipeline: a read error or a gzip error ends the iteration below with that error; destroy stops both.
    const gzip = pipeline(Readable.from(readChunks(handle), { highWaterMark: 1 }), createGzip({ level: BACKUP_GZIP_LEVEL, chunkSize: BACKUP_CHUNK_BYTES }), () => undefined);
    try {
      for await (const chunk of gzip as AsyncIterable<Buffer>) yield chunk;
    } finally {
      gzip.destroy();
    }
  } finally {
    await handle.close();
  }
}

async function* readChunks(handle: FileHandle): AsyncGenerator<Buffer> {
  for (let position = 0; ; ) {
    const buffer = Buffer.allocUnsafe(BACKUP_CHUNK_BYTES);
    const count = await handle.read(buffer, 0, buffer.length, position);
    if (count === 0) return;
    position += count;
    yield buffer.subarray(0, count);
  }
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
