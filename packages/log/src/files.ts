import { isTempName, type FileSystem } from "@store/fs";
import { join } from "node:path";

/**
 * File names in a data folder. Segments and bases share one counter: base N holds the state of
 * everything before segment N, so the live files are the newest base and the segments from its
 * number on. Names sort in numeric order because numbers are zero-padded.
 */
const NUMBER_DIGITS = 6;
const SEGMENT_SUFFIX = ".log";
const BASE_SUFFIX = ".base";
export const BACKUPS_FOLDER = "backups";
/** Where salvage keeps a damaged file as it was found, and moves a file that is not ours. */
export const DAMAGED_FOLDER = "damaged";

export function segmentName(fileNumber: number): string {
  return `${String(fileNumber).padStart(NUMBER_DIGITS, "0")}${SEGMENT_SUFFIX}`;
}

export function baseName(fileNumber: number): string {
  return `${String(fileNumber).padStart(NUMBER_DIGITS, "0")}${BASE_SUFFIX}`;
}

export interface DataFiles {
  /** Base file numbers, ascending. */
  readonly bases: number[];
  /** Segment file numbers, ascending. */
  readonly segments: number[];
  /** Temp files left by an interrupted atomic write. */
  readonly temps: string[];
}

export async function listDataFiles(fs: FileSystem, dir: string): Promise<DataFiles> {
  const bases: number[] = [];
  const segments: number[] = [];
  const temps: string[] = [];
  for (const name of await fs.readdir(dir)) {
    const segment = parseNumbered(name, SEGMENT_SUFFIX);
    const base = parseNumbered(name, BASE_SUFFIX);
    if (segment !== undefined) segments.push(segment);
    else if (base !== undefined) bases.push(base);
    else if (isTempName(name)) temps.push(name);
  }
  const ascending = (a: number, b: number): number => a - b;
  return { bases: bases.sort(ascending), segments: segments.sort(ascending), temps };
}

/** True for names like a segment's or a base's (`000001.log`, `000002.base`). */
export function isDataFileName(name: string): boolean {
  return parseNumbered(name, SEGMENT_SUFFIX) !== undefined || parseNumbered(name, BASE_SUFFIX) !== undefined;
}

function parseNumbered(name: string, suffix: string): number | undefined {
  if (!name.endsWith(suffix)) return undefined;
  const digits = name.slice(0, -suffix.length);
  if (!/^\d+$/.test(digits)) return undefined;
  const fileNumber = Number(digits);
  return Number.isSafeInteger(fileNumber) ? fileNumber : undefined;
}

export function segmentPath(dir: string, fileNumber: number): string {
  return join(dir, segmentName(fileNumber));
}

export function basePath(dir: string, fileNumber: number): string {
  return join(dir, baseName(fileNumber));
}
