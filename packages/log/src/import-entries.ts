import { basename, dirname, join } from "node:path";
import { CorruptionError, StoreError, jsonValueProblem, keyProblem, nodeFileSystem, type FileSystem, type JsonValue } from "@store/fs";
import { EXPORT_FORMAT, EXPORT_VERSION } from "./export-file.js";
import { resolveOptions, type StoreOptions } from "./options.js";
import { openStore } from "./open-store.js";
import type { Store } from "./store.js";
import { readTextLines } from "./text-lines.js";

export interface ImportResult {
  /** Entries written. */
  readonly imported: number;
  /** The seq of the export file the entries came from. */
  readonly exportSeq: number;
  /** The store's seq after the import. */
  readonly seq: number;
  /** `batch`: one atomic batch into an existing store; `new-folder`: built aside, then moved into place whole. */
  readonly how: "batch" | "new-folder";
}

export interface ImportOptions {
  readonly fs?: FileSystem;
  /** Options for the store opened (limits, sync); its `fs` is `fs`. */
  readonly storeOptions?: Omit<StoreOptions, "fs" | "readOnly">;
}

/** Entries per batch while a new folder is built aside (no atomicity needed there: the move is). */
const BUILD_BATCH_OPS = 1000;
const BUILD_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Imports an export file (`exportLines`, jsonl or json) into the store in `dir`, all or nothing. The
 * whole file is checked first (its header, every line, every key and value, the count on its last
 * line, so a file cut short is refused): any problem, and nothing is written, with the line and byte
 * offset. Then:
 * - into a folder that does not exist (or is empty): the store is built in a folder beside it and
 *   renamed into place, so after a crash at any point the folder is absent or whole, whatever the size;
 * - into an existing store (taking its lock: STORE_LOCKED while another process has it open): one
 *   batch, atomic, so the file must fit in one (`batchOpsMax`, `recordBytesMax`); a larger one is
 *   refused with STORE_TOO_LARGE before anything is written.
 * Every key of the file is set; the store's other keys are left as they are.
 */
export async function importEntries(dir: string, file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const fs = options.fs ?? nodeFileSystem;
  const storeOptions: StoreOptions = { ...options.storeOptions, fs };
  const limits = resolveOptions(storeOptions);
  const checked = await checkExportFile(fs, file, limits);
  if (await isAbsentOrEmpty(fs, dir)) return buildAside(fs, dir, file, storeOptions, checked);
  const store = await openStore(dir, storeOptions);
  try {
    if (checked.entries > limits.batchOpsMax) throw tooLarge(file, dir, checked, limits);
    const ops: Array<{ type: "set"; key: string; value: JsonValue }> = [];
    for await (const entry of exportFileEntries(fs, file, limits)) ops.push({ type: "set", key: entry.key, value: entry.value });
    try {
      const seq = ops.length === 0 ? store.seq : (await store.batch(ops)).seq;
      return { imported: ops.length, exportSeq: checked.exportSeq, seq, how: "batch" };
    } catch (error) {
      // The store refuses a record over recordBytesMax before writing anything.
      if ((error as { code?: unknown } | null)?.code === "STORE_TOO_LARGE") throw tooLarge(file, dir, checked, limits);
      throw error;
    }
  } finally {
    await store.close();
  }
}

interface CheckedFile {
  readonly exportSeq: number;
  readonly entries: number;
  /** UTF-8 bytes of the keys and values' JSON. */
  readonly bytes: number;
}

async function checkExportFile(fs: FileSystem, file: string, limits: { keyBytesMax: number; valueDepthMax: number }): Promise<CheckedFile> {
  let entries = 0;
  let bytes = 0;
  const seen = new Set<string>();
  let exportSeq = 0;
  for await (const entry of exportFileEntries(fs, file, limits, (header) => (exportSeq = header.seq))) {
    entries += 1;
    bytes += Buffer.byteLength(entry.key) + Buffer.byteLength(JSON.stringify(entry.value));
    // Held only up to a batch's worth: a larger file goes into a new folder, where a repeat would just win.
    if (seen.size <= 10_000) {
      if (seen.has(entry.key)) throw new StoreError("STORE_INVALID_KEY", `${file}, line ${entry.line}: key ${JSON.stringify(entry.key)} appears twice. Nothing was written.`, { path: file, offset: entry.offset, key: entry.key });
      seen.add(entry.key);
    }
  }
  return { exportSeq, entries, bytes };
}

/** The entries of an export file, each checked; the header, the end line and the count too. */
async function* exportFileEntries(
  fs: FileSystem,
  file: string,
  limits: { keyBytesMax: number; valueDepthMax: number },
  onHeader?: (header: { seq: number }) => void,
): AsyncGenerator<{ key: string; value: JsonValue; line: number; offset: number }> {
  let layout: "jsonl" | "json" | undefined;
  let count = 0;
  let ended = false;
  for await (const { text, line, offset } of readTextLines(fs, file)) {
    const bad = (why: string): CorruptionError => new CorruptionError(`${file}, line ${line} (byte ${offset}): ${why}. Nothing was written.`, { path: file, offset });
    if (ended) {
      if (text.trim() === "") continue;
      throw bad("a line after the end line");
    }
    if (layout === undefined) {
      layout = text.endsWith(`,"entries":[`) ? "json" : "jsonl";
      const header = parseObject(layout === "json" ? `${text.slice(0, -`,"entries":[`.length)}}` : text);
      if (header?.format !== EXPORT_FORMAT) throw bad(`not a store export file (its first line is not a "${EXPORT_FORMAT}" header)`);
      if (header.v !== EXPORT_VERSION) throw new StoreError("STORE_UNSUPPORTED_FORMAT", `${file} is a store export of version ${String(header.v)}; this version reads version ${EXPORT_VERSION}. Nothing was written.`, { path: file });
      if (!Number.isSafeInteger(header.seq)) throw bad("the header has no seq");
      onHeader?.({ seq: header.seq as number });
      continue;
    }
    const end = layout === "jsonl" ? parseObject(text) : text.startsWith("],") ? parseObject(`{${text.slice(2)}`) : undefined;
    if (end !== undefined && (end.end === true || (layout === "json" && "count" in end))) {
      const declared = layout === "jsonl" ? end.entries : end.count;
      if (declared !== count) throw bad(`the end line counts ${String(declared)} entries, the file has ${count}`);
      ended = true;
      continue;
    }
    const entry = parseObject(layout === "json" && text.endsWith(",") ? text.slice(0, -1) : text);
    if (entry === undefined || typeof entry.key !== "string" || !("value" in entry)) throw bad(`not an entry (a JSON object with "key" and "value")`);
    const { key } = entry;
    const keyIssue = keyProblem(key, limits);
    if (keyIssue !== undefined) throw new StoreError("STORE_INVALID_KEY", `${file}, line ${line}: ${keyIssue}. Nothing was written.`, { path: file, offset, key });
    const valueIssue = jsonValueProblem(entry.value, limits);
    if (valueIssue !== undefined) throw new StoreError("STORE_INVALID_VALUE", `${file}, line ${line}: the value of ${JSON.stringify(key)} ${valueIssue}. Nothing was written.`, { path: file, offset, key });
    count += 1;
    yield { key, value: entry.value as JsonValue, line, offset };
  }
  if (layout === undefined) throw new CorruptionError(`${file} is empty: not a store export file. Nothing was written.`, { path: file, offset: 0 });
  if (!ended) throw new CorruptionError(`${file} ends before its end line: the file was cut short (a full disk, an interrupted copy). Nothing was written.`, { path: file, offset: 0 });
}

function tooLarge(file: string, dir: string, checked: CheckedFile, limits: { batchOpsMax: number; recordBytesMax: number }): StoreError {
  return new StoreError(
    "STORE_TOO_LARGE",
    `${file} holds ${checked.entries} entries (${checked.bytes} bytes of keys and values), more than one atomic batch into the existing store ${dir} takes ` +
      `(batchOpsMax ${limits.batchOpsMax}, recordBytesMax ${limits.recordBytesMax}). Nothing was written. Import it into a folder that does not exist yet ` +
      `(it is built aside and moved in whole), or split the file.`,
    { path: file },
  );
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function isAbsentOrEmpty(fs: FileSystem, dir: string): Promise<boolean> {
  const stat = await fs.stat(dir);
  if (stat === undefined) return true;
  if (!stat.isDirectory) throw new StoreError("STORE_NOT_A_STORE", `${dir} is a file, not a folder. Pass the path of a store's folder, or of a folder to be created.`, { path: dir });
  return (await fs.readdir(dir)).length === 0;
}

/**
 * Builds the store in a folder beside `dir` and renames it into place: rename(2) of a folder is
 * atomic (and replaces an empty folder), and the parent is fsynced after it, so a crash leaves
 * `dir` absent (or empty) or whole. A failure leaves the folder beside it, named in the error.
 */
async function buildAside(fs: FileSystem, dir: string, file: string, storeOptions: StoreOptions, checked: CheckedFile): Promise<ImportResult> {
  const aside = join(dirname(dir), `.${basename(dir)}.importing-${process.pid}-${Date.now()}`);
  let store: Store | undefined;
  try {
    store = await openStore(aside, storeOptions);
    let batch: Array<{ type: "set"; key: string; value: JsonValue }> = [];
    let batchBytes = 0;
    for await (const entry of exportFileEntries(fs, file, resolveOptions(storeOptions))) {
      batch.push({ type: "set", key: entry.key, value: entry.value });
      batchBytes += entry.key.length + JSON.stringify(entry.value).length;
      if (batch.length >= BUILD_BATCH_OPS || batchBytes >= BUILD_BATCH_BYTES) {
        await store.batch(batch);
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) await store.batch(batch);
    const seq = store.seq;
    await store.close();
    // The store's LOCK is released by close(): the folder moved in holds only its data files.
    await fs.rename(aside, dir);
    await fs.fsyncDir(dirname(dir));
    return { imported: checked.entries, exportSeq: checked.exportSeq, seq, how: "new-folder" };
  } catch (error) {
    await store?.close().catch(() => undefined);
    if (error instanceof StoreError) throw withAside(error as StoreError<string>, aside);
    throw new StoreError("STORE_IO", `Importing ${file} into ${dir} failed: ${error instanceof Error ? error.message : String(error)}. ${dir} was not created; delete ${aside}.`, { path: aside, cause: error });
  }
}

function withAside(error: StoreError<string>, aside: string): StoreError<string> {
  return new StoreError(error.code, `${error.message} The import was not moved into place; delete ${aside}.`, { path: error.path, offset: error.offset, key: error.key, cause: error });
}
