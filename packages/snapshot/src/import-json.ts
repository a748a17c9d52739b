import { StoreError, VALUE_DEPTH_MAX_DEFAULT, jsonValueProblem, keyProblem, nodeFileSystem, type FileSystem, type JsonValue, type ValueLimits } from "@store/fs";
import { assertDepth, assertOptionBag, readJsonFile } from "./json-file.js";
import type { ImportOp, ImportTarget } from "./source.js";

export interface ImportOptions {
  /** Put in front of every key, e.g. `"players/"`. Required (may be `""`). */
  readonly prefix: string;
  /**
   * For a file holding an array: the key of each item, without the prefix. Required for arrays,
   * ignored for objects (whose property names are the keys).
   */
  readonly keyOf?: (item: JsonValue, index: number) => string;
  /**
   * Deepest nesting of a value; deeper ones are skipped and listed. Default 64, `@store/log`'s own
   * default: set it to the store's `valueDepthMax` if that was changed.
   */
  readonly valueDepthMax?: number;
  /** Default: the real disk. */
  readonly fs?: FileSystem;
}

const OPTION_NAMES: readonly (keyof ImportOptions)[] = ["prefix", "keyOf", "valueDepthMax", "fs"];

/** An entry left out, with where it was and why. */
export interface SkippedEntry {
  /** Position in an array file. */
  readonly index?: number;
  /** Property name in an object file, or the key `keyOf` gave. */
  readonly key?: string;
  readonly reason: string;
}

export interface ImportResult {
  readonly imported: number;
  readonly skipped: readonly SkippedEntry[];
  /** The seq of the batch, or `null` when there was nothing to import. */
  readonly seq: number | null;
}

/**
 * Loads an old JSON file into `store` in one atomic batch: an object (property name -> value) or an
 * array (`keyOf(item)` -> item). Every entry is validated first; bad ones are skipped and reported,
 * the rest are written together or not at all. A missing file is a STORE_IO error naming it.
 */
export async function importJson(store: ImportTarget, file: string, options: ImportOptions): Promise<ImportResult> {
  assertOptionBag(options, OPTION_NAMES, "importJson");
  if (typeof options.prefix !== "string") throw new TypeError(`importJson: options.prefix must be a string, got ${String(options.prefix)}`);
  if (options.keyOf !== undefined && typeof options.keyOf !== "function") throw new TypeError(`importJson: options.keyOf must be a function, got ${typeof options.keyOf}`);
  const limits = { valueDepthMax: assertDepth(options.valueDepthMax ?? VALUE_DEPTH_MAX_DEFAULT, "importJson") };
  const document = await readJsonFile(file, { fs: options.fs ?? nodeFileSystem });
  if (document === undefined) {
    throw new StoreError("STORE_IO", `Nothing to import: ${file} does not exist. Check the path.`, { path: file });
  }
  const { ops, skipped } = Array.isArray(document)
    ? fromArray(document, options, file, limits)
    : typeof document === "object" && document !== null
      ? fromObject(document, options.prefix, limits)
      : notACollection(file, document);
  if (ops.length === 0) return { imported: 0, skipped, seq: null };
  const { seq } = await store.batch(ops);
  return { imported: ops.length, skipped, seq };
}

interface Entries {
  ops: ImportOp[];
  skipped: SkippedEntry[];
}

/** Entries are checked the same way whether the file is an object or an array. */
function fromObject(document: { [key: string]: JsonValue }, prefix: string, limits: ValueLimits): Entries {
  const entries: Entries = { ops: [], skipped: [] };
  for (const [name, value] of Object.entries(document)) {
    const reason = keyProblem(prefix + name) ?? jsonValueProblem(value, limits);
    if (reason === undefined) entries.ops.push({ type: "set", key: prefix + name, value });
    else entries.skipped.push({ key: name, reason });
  }
  return entries;
}

function fromArray(document: JsonValue[], options: ImportOptions, file: string, limits: ValueLimits): Entries {
  const { keyOf, prefix } = options;
  if (keyOf === undefined) throw new TypeError(`${file} holds an array: pass options.keyOf to say which key each item gets`);
  const entries: Entries = { ops: [], skipped: [] };
  const firstIndexOf = new Map<string, number>();
  document.forEach((item, index) => {
    const named = nameOf(keyOf, item, index);
    if (typeof named !== "string") {
      entries.skipped.push({ index, reason: named.reason });
      return;
    }
    const key = prefix + named;
    const reason = keyProblem(key) ?? jsonValueProblem(item, limits) ?? duplicateOf(firstIndexOf.get(key));
    if (reason !== undefined) {
      entries.skipped.push({ index, key: named, reason });
      return;
    }
    firstIndexOf.set(key, index);
    entries.ops.push({ type: "set", key, value: item });
  });
  return entries;
}

function nameOf(keyOf: NonNullable<ImportOptions["keyOf"]>, item: JsonValue, index: number): string | { reason: string } {
  let named: unknown;
  try {
    named = keyOf(item, index);
  } catch (error) {
    return { reason: `keyOf threw: ${error instanceof Error ? error.message : String(error)}` };
  }
  return typeof named === "string" ? named : { reason: `keyOf returned ${typeof named}, not a string` };
}

function duplicateOf(firstIndex: number | undefined): string | undefined {
  return firstIndex === undefined ? undefined : `duplicate key: item ${firstIndex} already has it (the first one is kept)`;
}

function notACollection(file: string, document: JsonValue): never {
  throw new StoreError(
    "STORE_INVALID_VALUE",
    `${file} holds ${document === null ? "null" : typeof document}, not an object or an array of entries; nothing was imported.`,
    { path: file },
  );
}
