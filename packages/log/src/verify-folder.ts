import { join } from "node:path";
import { StoreError, isErrno, isTempName, nodeFileSystem, type FileSystem } from "@store/fs";
import { listBackups, readBackupLines, type BackupFile } from "./backup-files.js";
import { DAMAGED_FOLDER, baseName, segmentName } from "./files.js";
import { assertStoreFolder } from "./folder-check.js";
import { freezeFolder, type FrozenFile } from "./frozen-folder.js";
import { scanFile, type ScanResult } from "./reader.js";
import { assertSupportedVersion, classifyDamage, type FilePlace } from "./replay-rules.js";
import { VerifyRules } from "./verify-rules.js";

/** One thing verify found: `damage` fails the verification, a `note` is worth knowing and harmless. */
export interface VerifyFinding {
  readonly severity: "damage" | "note";
  /** What is wrong (or worth knowing), in words. */
  readonly what: string;
  readonly path: string;
  /** Byte offset in the file (for a backup, in its decompressed bytes), or null when it is about the whole file. */
  readonly offset: number | null;
}

export interface VerifiedFile {
  readonly path: string;
  readonly kind: "base" | "segment" | "backup";
  /** Bytes checked (a backup: its compressed size). */
  readonly bytes: number;
  readonly records: number;
}

export interface VerifyReport {
  readonly dir: string;
  /** No damage found. */
  readonly ok: boolean;
  /** The last seq of the live files when they were read. */
  readonly seq: number;
  readonly files: readonly VerifiedFile[];
  readonly findings: readonly VerifyFinding[];
}

export interface VerifyProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface VerifyOptions {
  readonly fs?: FileSystem;
  /** Called as bytes are checked (about every `PROGRESS_EVERY_BYTES`), and once at the end. */
  readonly onProgress?: (progress: VerifyProgress) => void;
  /** Check the gzipped files in `backups/` too. Default true. */
  readonly backups?: boolean;
}

const PROGRESS_EVERY_BYTES = 1024 * 1024;

/**
 * Reads every file of a data folder and checks it, without the lock and without writing anything, so
 * it is safe while the folder's writer runs (the live files are frozen at one instant: a compaction
 * meanwhile does not disturb it). Checks each record's checksum, that each file starts with the right
 * header in a format version this code reads, that seqs follow one another within and across the
 * base and the segments (a missing or shortened segment shows as a gap), that a base ends with its
 * end marker and count, and that every backup decompresses into whole records.
 *
 * Unlike opening, it does not stop at the first damage: it reports each damaged stretch of each file
 * as (what, file, offset). A torn tail at the end of the last segment (an append in progress, or one
 * a crash interrupted, which the next open cuts) and leftovers of interrupted operations are notes.
 * A folder that does not exist, or a newer format, throws (STORE_IO, STORE_UNSUPPORTED_FORMAT).
 */
export async function verifyFolder(dir: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const fs = options.fs ?? nodeFileSystem;
  const stat = await fs.stat(dir).catch(() => undefined);
  if (stat?.isDirectory !== true) throw new StoreError("STORE_IO", `There is no data folder at ${dir} to verify. Check the path.`, { path: dir });
  await assertStoreFolder(fs, dir); // as opening does: a folder that is not a store is not verified as an empty one
  const frozen = await freezeFolder(fs, dir);
  try {
    const backups = options.backups === false ? [] : await listBackups(fs, dir);
    const progress = new Progress(options.onProgress, await totalBytes(fs, frozen.live, backups));
    const findings: VerifyFinding[] = [];
    const files: VerifiedFile[] = [];
    const rules = new VerifyRules();
    for (const [index, file] of frozen.live.entries()) {
      files.push(await verifyLiveFile(frozen.fs, file, index === frozen.live.length - 1, rules, findings, progress));
    }
    for (const backup of backups) {
      const verified = await verifyBackup(fs, backup, findings, progress);
      if (verified !== undefined) files.push(verified);
    }
    findings.push(...(await leftoverNotes(fs, dir, frozen.files, frozen.live)));
    progress.finish();
    return { dir, ok: !findings.some((finding) => finding.severity === "damage"), seq: rules.seq, files, findings };
  } finally {
    await frozen.close();
  }
}

async function verifyLiveFile(fs: FileSystem, file: FrozenFile, isLast: boolean, rules: VerifyRules, findings: VerifyFinding[], progress: Progress): Promise<VerifiedFile> {
  const { path, kind } = file;
  const fileRules = rules.startFile(path, kind);
  const start = progress.done;
  let records = 0;
  const scan = await scanFile(
    fs,
    path,
    (record, offset, end) => {
      if (record.op === "header") assertSupportedVersion(record, path);
      fileRules.check(record, offset, end);
      records += 1;
      progress.at(start + end);
    },
    { visitAfterDamage: true },
  );
  progress.at(start + file.dataEnd);
  findings.push(...(await damageFindings(fs, scan, { kind, isLast, unsynced: fileRules.unsynced })), ...fileRules.finish(scan));
  return { path, kind, bytes: file.dataEnd, records };
}

/** What the reader's damage means here: what opening would make of it (replay-rules.ts, `classifyDamage`). */
async function damageFindings(fs: FileSystem, scan: ScanResult, where: FilePlace): Promise<VerifyFinding[]> {
  const first = scan.damage[0];
  const { path } = scan;
  if (first === undefined) return [];
  const verdict = await classifyDamage(fs, scan, where);
  if (verdict === "not-ours") return [{ severity: "damage", what: "not a file @store/log wrote: its first line is not a store-log header", path, offset: 0 }];
  if (verdict === "never-held-a-record") return [{ severity: "note", what: "a segment without a whole header (its creation was interrupted); it never held a record", path, offset: 0 }];
  if (verdict === "torn-tail") {
    const bytes = scan.dataEnd - first.offset;
    const why = where.unsynced && scan.followedByRecords ? "an unsynced tail (sync \"interval\"/\"none\"): the log ends at the first damage after a power loss" : "a torn tail: an append in progress or interrupted";
    return [{ severity: "note", what: `${why} (${bytes} bytes, ${first.reason}); the next open cuts it`, path, offset: first.offset }];
  }
  return scan.damage.map((damage) => ({ severity: "damage", what: `${damage.reason} (${damage.bytes} bytes)`, path, offset: damage.offset }));
}

async function verifyBackup(fs: FileSystem, backup: BackupFile, findings: VerifyFinding[], progress: Progress): Promise<VerifiedFile | undefined> {
  const bytes = (await fs.stat(backup.path))?.size ?? 0;
  let records = 0;
  let headerSeen = false;
  const found: VerifyFinding[] = [];
  let wholeGzip = true;
  try {
    for await (const line of readBackupLines(fs, backup.path)) {
      if ("problem" in line) {
        wholeGzip &&= line.notGzip !== true;
        found.push({ severity: "damage", what: `backup: ${line.problem}`, path: backup.path, offset: line.offset });
        continue;
      }
      if (!headerSeen && (line.record.op !== "header" || line.record.kind !== backup.kind)) {
        found.push({ severity: "damage", what: `backup: the first line is not a ${backup.kind} header`, path: backup.path, offset: line.offset });
      }
      headerSeen = true;
      records += 1;
    }
  } catch (error) {
    // The writer keeps the newest backupsMax compactions: an older backup may be pruned while verify runs.
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  }
  if (backup.kind === "segment" && records === 0 && wholeGzip && found.length <= 1 && (found[0]?.offset ?? 0) === 0) {
    // Opening retires a segment without a whole header as it is (it never held a record): not damage.
    found.splice(0, found.length, { severity: "note", what: "backup: a retired segment without a whole header; it never held a record", path: backup.path, offset: 0 });
  }
  findings.push(...found);
  if (!headerSeen && found.length === 0) findings.push({ severity: "damage", what: "backup: empty", path: backup.path, offset: 0 });
  progress.at(progress.done + bytes);
  return { path: backup.path, kind: "backup", bytes, records };
}

/** Files that interrupted operations leave: harmless, and the next writable open deals with each. */
async function leftoverNotes(fs: FileSystem, dir: string, files: Awaited<ReturnType<typeof freezeFolder>>["files"], live: readonly FrozenFile[]): Promise<VerifyFinding[]> {
  const notes: VerifyFinding[] = [];
  const livePaths = new Set(live.map((file) => file.path));
  for (const name of [...files.bases.map(baseName), ...files.segments.map(segmentName)]) {
    const path = join(dir, name);
    if (!livePaths.has(path)) notes.push({ severity: "note", what: "older than the base: a compaction in progress, or one interrupted before it retired it (the next open does)", path, offset: null });
  }
  for (const name of files.temps) notes.push({ severity: "note", what: "a temp file of an atomic write in progress or interrupted (the next open removes it)", path: join(dir, name), offset: null });
  const damaged = await fs.readdir(join(dir, DAMAGED_FOLDER)).catch(() => [] as string[]);
  for (const name of damaged.filter((entry) => !isTempName(entry))) {
    notes.push({ severity: "note", what: "a file a salvage open kept as it was found (delete it once you no longer need it)", path: join(dir, DAMAGED_FOLDER, name), offset: null });
  }
  return notes;
}

async function totalBytes(fs: FileSystem, live: readonly FrozenFile[], backups: readonly BackupFile[]): Promise<number> {
  let total = live.reduce((sum, file) => sum + file.dataEnd, 0);
  for (const backup of backups) total += (await fs.stat(backup.path))?.size ?? 0;
  return total;
}

class Progress {
  readonly #onProgress: ((progress: VerifyProgress) => void) | undefined;
  readonly #total: number;
  done = 0;
  #reported = 0;

  constructor(onProgress: ((progress: VerifyProgress) => void) | undefined, total: number) {
    this.#onProgress = onProgress;
    this.#total = total;
  }

  at(bytes: number): void {
    this.done = Math.min(bytes, this.#total);
    if (this.done - this.#reported < PROGRESS_EVERY_BYTES) return;
    this.#reported = this.done;
    this.#onProgress?.({ bytesDone: this.done, bytesTotal: this.#total });
  }

  finish(): void {
    this.#onProgress?.({ bytesDone: this.#total, bytesTotal: this.#total });
  }
}
