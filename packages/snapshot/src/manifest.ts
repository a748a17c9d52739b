import { crc32 } from "node:zlib";
import { join } from "node:path";
import { StoreError, isErrno, nodeFileSystem, type FileSystem } from "@store/fs";
import { readJsonFile } from "./json-file.js";

export const MANIFEST_FILE_NAME = "manifest.json";
export const MANIFEST_FORMAT = "store-mirror-manifest";
export const MANIFEST_VERSION = 1;

/** What the manifest says about one view file. */
export interface ViewRecord {
  /** The key prefix the view holds. */
  readonly prefix: string;
  /** The source's seq the view reflects: it equals the source's state at that seq. */
  readonly seq: number;
  /** zlib CRC-32 of the file's bytes, unsigned. */
  readonly crc32: number;
  /** The file's size in bytes. */
  readonly bytes: number;
  /** When the view was written, ISO 8601. */
  readonly writtenAt: string;
}

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  readonly views: Readonly<Record<string, ViewRecord>>;
}

export function viewRecord(prefix: string, seq: number, bytes: Uint8Array, writtenAt: Date): ViewRecord {
  return { prefix, seq, crc32: crc32(bytes), bytes: bytes.length, writtenAt: writtenAt.toISOString() };
}

/** The manifest in `dir`, or `undefined` if there is none. Damaged or foreign: STORE_CORRUPTED. */
export async function readManifest(dir: string, options: { readonly fs?: FileSystem } = {}): Promise<Manifest | undefined> {
  const path = join(dir, MANIFEST_FILE_NAME);
  const value = await readJsonFile(path, options);
  if (value === undefined) return undefined;
  if (!isManifest(value)) {
    throw new StoreError("STORE_CORRUPTED", `${path} is not a mirror manifest of version ${MANIFEST_VERSION}. Delete it; the mirror writes a new one.`, { path });
  }
  return value;
}

function isManifest(value: unknown): value is Manifest {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { format, version, views } = value as Partial<Record<keyof Manifest, unknown>>;
  if (format !== MANIFEST_FORMAT || version !== MANIFEST_VERSION) return false;
  if (typeof views !== "object" || views === null || Array.isArray(views)) return false;
  return Object.values(views).every(isViewRecord);
}

function isViewRecord(value: unknown): value is ViewRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Partial<Record<keyof ViewRecord, unknown>>;
  return (
    typeof record.prefix === "string" &&
    typeof record.seq === "number" &&
    typeof record.crc32 === "number" &&
    typeof record.bytes === "number" &&
    typeof record.writtenAt === "string"
  );
}

/**
 * - `ok`: the file's bytes are exactly what the manifest records.
 * - `missing`: the manifest lists the view but the file is gone.
 * - `mismatch`: the bytes differ: the view was rewritten after the manifest (a crash between the
 *   two writes, repaired by the mirror's next write) or the file was changed or damaged since.
 */
export interface ViewCheck {
  readonly file: string;
  readonly status: "ok" | "missing" | "mismatch";
  readonly record: ViewRecord;
}

/** Checks every view the manifest in `dir` lists against its file. `undefined` without a manifest. */
export async function verifyMirror(dir: string, options: { readonly fs?: FileSystem } = {}): Promise<ViewCheck[] | undefined> {
  const fs = options.fs ?? nodeFileSystem;
  const manifest = await readManifest(dir, { fs });
  if (manifest === undefined) return undefined;
  const checks: ViewCheck[] = [];
  for (const [file, record] of Object.entries(manifest.views)) {
    let status: ViewCheck["status"];
    try {
      const bytes = await fs.readFile(join(dir, file));
      status = bytes.length === record.bytes && crc32(bytes) === record.crc32 ? "ok" : "mismatch";
    } catch (error) {
      if (!isErrno(error, "ENOENT")) throw error;
      status = "missing";
    }
    checks.push({ file, status, record });
  }
  return checks;
}
