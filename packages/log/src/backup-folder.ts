import { basename, join } from "node:path";
import { CorruptionError, StoreError, atomicReplace, mkdirDurable, nodeFileSystem, type FileHandle, type FileSystem } from "@store/fs";
import { freezeFolder, type FrozenFile } from "./frozen-folder.js";
import { scanFile } from "./reader.js";
import { verifyFolder } from "./verify-folder.js";

export interface BackupResult {
  readonly dest: string;
  /** The seq the copy holds: every write acknowledged before the backup began, and maybe a few after. */
  readonly seq: number;
  readonly files: ReadonlyArray<{ readonly name: string; readonly bytes: number }>;
  readonly bytes: number;
}

export interface BackupOptions {
  readonly fs?: FileSystem;
}

const COPY_CHUNK_BYTES = 1024 * 1024;

/**
 * Copies the live files of a data folder into `dest` (a new or empty folder) while its writer runs,
 * without the lock, and checks the copy. The files are append-only and frozen at one instant (a
 * compaction meanwhile does not disturb the copy): the base and the sealed segments are copied whole,
 * the last segment up to the end of its last whole record, so the copy is the folder as of one seq,
 * holding every write acknowledged before the backup began. Each file is written atomically and
 * fsynced, the folder too; then the copy is verified with `verifyFolder` (every checksum, every seq),
 * so a backup that returns is one that opens. `backups/`, `damaged/` and the LOCK are not copied.
 *
 * A `dest` that holds anything is refused (STORE_IO) before anything is written; damage in the
 * source shows as STORE_CORRUPTED naming the copy's file and offset (the same offset in the source).
 */
export async function backupFolder(dir: string, dest: string, options: BackupOptions = {}): Promise<BackupResult> {
  const fs = options.fs ?? nodeFileSystem;
  await assertEmptyOrAbsent(fs, dest);
  const sourceStat = await fs.stat(dir);
  if (sourceStat?.isDirectory !== true) throw new StoreError("STORE_IO", `There is no data folder at ${dir} to back up. Check the path.`, { path: dir });
  const frozen = await freezeFolder(fs, dir);
  const files: Array<{ name: string; bytes: number }> = [];
  try {
    await mkdirDurable(fs, dest);
    for (const [index, file] of frozen.live.entries()) {
      const end = index === frozen.live.length - 1 && file.kind === "segment" ? await wholeEnd(frozen.fs, file) : file.dataEnd;
      const handle = await frozen.fs.open(file.path, "r");
      try {
        await atomicReplace(fs, join(dest, basename(file.path)), copyChunks(handle, end));
      } finally {
        await handle.close();
      }
      files.push({ name: basename(file.path), bytes: end });
    }
  } finally {
    await frozen.close();
  }
  const report = await verifyFolder(dest, { fs, backups: false });
  const damage = report.findings.find((finding) => finding.severity === "damage");
  if (damage !== undefined) {
    throw new CorruptionError(
      `The backup in ${dest} does not verify: ${damage.path} at byte ${damage.offset ?? 0}: ${damage.what}. The source ${dir} is damaged there: run \`store verify ${dir}\`.`,
      { path: damage.path, offset: damage.offset ?? 0 },
    );
  }
  return { dest, seq: report.seq, files, bytes: files.reduce((sum, file) => sum + file.bytes, 0) };
}

/** The end of the last whole record before any damage: an append in flight is left out. */
async function wholeEnd(fs: FileSystem, file: FrozenFile): Promise<number> {
  const scan = await scanFile(fs, file.path, () => undefined);
  return scan.wholeEnd;
}

async function* copyChunks(handle: FileHandle, end: number): AsyncGenerator<Uint8Array> {
  for (let position = 0; position < end; ) {
    const buffer = Buffer.allocUnsafe(Math.min(COPY_CHUNK_BYTES, end - position));
    const count = await handle.read(buffer, 0, buffer.length, position);
    if (count === 0) throw new StoreError("STORE_IO", `${handle.path} ended at byte ${position} while it was copied, before byte ${end}.`, { path: handle.path });
    position += count;
    yield buffer.subarray(0, count);
  }
}

async function assertEmptyOrAbsent(fs: FileSystem, dest: string): Promise<void> {
  const stat = await fs.stat(dest);
  if (stat === undefined) return;
  if (!stat.isDirectory) throw new StoreError("STORE_IO", `${dest} is a file: a backup goes into a new or empty folder. Nothing was written.`, { path: dest });
  const names = await fs.readdir(dest);
  if (names.length > 0) throw new StoreError("STORE_IO", `${dest} is not empty (it holds ${names[0]!}${names.length > 1 ? ` and ${names.length - 1} more` : ""}): a backup goes into a new or empty folder. Nothing was written.`, { path: dest });
}
