import { basename, dirname, join } from "node:path";
import { atomicReplace, mkdirDurable, type FileSystem } from "@store/fs";
import { DAMAGED_FOLDER } from "./files.js";
import { encodeRecord, type HeaderRecord } from "./format.js";

/** Where a damaged or foreign file of `path` is kept: `damaged/<name>.<ms>`, in its folder. */
function keptPathFor(path: string): string {
  return join(dirname(path), DAMAGED_FOLDER, `${basename(path)}.${Date.now()}`);
}

/** Copies a damaged file into `damaged/` (durably) before anything changes it. */
export async function keepAside(fs: FileSystem, path: string): Promise<string> {
  const keptAt = keptPathFor(path);
  await mkdirDurable(fs, dirname(keptAt));
  await atomicReplace(fs, keptAt, await fs.readFile(path));
  return keptAt;
}

/**
 * Moves a file that this library did not write out of the data folder into `damaged/`, as it is
 * (a rename: its bytes are never read or changed). Both folders are fsynced: after a crash the
 * file is at one name or the other.
 */
export async function moveAside(fs: FileSystem, path: string): Promise<string> {
  const keptAt = keptPathFor(path);
  await mkdirDurable(fs, dirname(keptAt));
  await fs.rename(path, keptAt);
  await fs.fsyncDir(dirname(keptAt));
  await fs.fsyncDir(dirname(path));
  return keptAt;
}

/**
 * Rewrites a damaged file (atomically) as a new header marked `salvaged`, the whole records kept
 * (byte ranges of the file), and for a base its end marker. Returns the new size.
 */
export async function rewriteSalvaged(fs: FileSystem, path: string, header: HeaderRecord, lines: ReadonlyArray<readonly [number, number]>, end?: Buffer): Promise<number> {
  const bytes = await fs.readFile(path);
  const chunks: Uint8Array[] = [encodeRecord({ ...header, salvaged: true }), ...lines.map(([start, stop]) => bytes.subarray(start, stop))];
  if (end !== undefined) chunks.push(end);
  await atomicReplace(fs, path, chunks);
  return chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}
