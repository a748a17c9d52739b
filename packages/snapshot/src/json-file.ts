import { CorruptionError, StoreError, atomicReplace, isErrno, nodeFileSystem, type FileSystem } from "@store/fs";
import { findJsonSyntaxProblem } from "./json-syntax.js";
import { jsonValueProblem, type JsonValue } from "@store/fs";
import { assertOptionNames } from "@store/fs";

export interface WriteJsonOptions {
  /** Default: the real disk. */
  readonly fs?: FileSystem;
  /** Indentation of the written JSON, in spaces (0: one line). Default 2. */
  readonly spaces?: number;
  /** Deepest nesting of arrays and objects in the document. Default `JSON_FILE_DEPTH_MAX_DEFAULT` (1 000). */
  readonly valueDepthMax?: number;
}

export interface ReadJsonOptions {
  /** Default: the real disk. */
  readonly fs?: FileSystem;
}

/**
 * The nesting a JSON file may have unless told otherwise: far above any store's value limit
 * (`@store/log` accepts 64 by default), and far below what would exhaust the stack while checking,
 * serializing or parsing.
 */
export const JSON_FILE_DEPTH_MAX_DEFAULT = 1_000;

const WRITE_OPTION_NAMES = ["fs", "spaces", "valueDepthMax"] as const;
const READ_OPTION_NAMES = ["fs"] as const;

const encoder = new TextEncoder();
const BOM = [0xef, 0xbb, 0xbf] as const;

/** JSON text of `value` with a final newline; throws STORE_INVALID_VALUE for anything JSON cannot hold. */
export function encodeJson(value: unknown, spaces: number, path: string, valueDepthMax: number): Uint8Array {
  const problem = jsonValueProblem(value, { valueDepthMax });
  if (problem !== undefined) {
    throw new StoreError("STORE_INVALID_VALUE", `Cannot write ${path}: ${problem}. Pass only JSON values.`, { path });
  }
  return jsonBytes(value as JsonValue, spaces); // checked just above
}

/** JSON text of a value already checked, with a final newline. */
export function jsonBytes(value: JsonValue, spaces: number): Uint8Array {
  return encoder.encode(`${JSON.stringify(value, null, spaces)}\n`);
}

/**
 * Writes `value` as JSON to `path` through `atomicReplace`: after a crash at any point the file holds
 * the old document or the new one, never an empty or partial file. The folder must exist.
 */
export async function writeJsonAtomic(path: string, value: unknown, options: WriteJsonOptions = {}): Promise<void> {
  if (typeof path !== "string" || path === "") throw new TypeError(`writeJsonAtomic: path must be a file path, got ${show(path)}`);
  assertOptionBag(options, WRITE_OPTION_NAMES, "writeJsonAtomic");
  const spaces = assertSpaces(options.spaces ?? 2, "writeJsonAtomic");
  const valueDepthMax = assertDepth(options.valueDepthMax ?? JSON_FILE_DEPTH_MAX_DEFAULT, "writeJsonAtomic");
  const bytes = encodeJson(value, spaces, path, valueDepthMax);
  await atomicReplace(options.fs ?? nodeFileSystem, path, bytes);
}

/** Options must be an object (or omitted) whose names are all known. */
export function assertOptionBag(options: unknown, known: readonly string[], where: string): asserts options is object {
  if (typeof options !== "object" || options === null) throw new TypeError(`${where}: options must be an object, got ${show(options)}`);
  assertOptionNames(options, known, where);
}

export function assertSpaces(spaces: unknown, where: string): number {
  if (typeof spaces !== "number" || !Number.isInteger(spaces) || spaces < 0 || spaces > 10) {
    throw new TypeError(`${where}: options.spaces must be an integer from 0 to 10, got ${show(spaces)}`);
  }
  return spaces;
}

export function assertDepth(depth: unknown, where: string): number {
  if (typeof depth !== "number" || !Number.isSafeInteger(depth) || depth < 1) {
    throw new TypeError(`${where}: options.valueDepthMax must be an integer >= 1, got ${show(depth)}`);
  }
  return depth;
}

/** Quotes a bad input for a message, shortened. */
export function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Reads and parses the JSON file at `path`: `undefined` when there is no file. A truncated or
 * invalid file is a `CorruptionError` (STORE_CORRUPTED) naming the file and the byte offset,
 * line and column where parsing stopped.
 */
export async function readJsonFile(path: string, options: ReadJsonOptions = {}): Promise<JsonValue | undefined> {
  assertOptionBag(options, READ_OPTION_NAMES, "readJsonFile");
  const fs = options.fs ?? nodeFileSystem;
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw new StoreError("STORE_IO", `Reading ${path} failed: ${String(error)}. Check that the file is readable.`, { path, cause: error });
  }
  return parseJsonBytes(bytes, path);
}

/** Parses a whole JSON file's bytes; see `readJsonFile` for the errors. */
export function parseJsonBytes(bytes: Uint8Array, path: string): JsonValue {
  const bomBytes = BOM.every((byte, i) => bytes[i] === byte) ? BOM.length : 0;
  const { text, cutCharacter } = decodeUtf8(bytes.subarray(bomBytes), path, bomBytes);
  let parsed: JsonValue | undefined;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch {
    // Located below, by our own scanner: JSON.parse's messages do not always say where.
  }
  if (parsed !== undefined && !cutCharacter) return parsed;
  const found = findJsonSyntaxProblem(text) ?? { index: text.length, reason: "the file ends inside a character" };
  const before = text.slice(0, found.index);
  const line = before.split("\n").length;
  const column = found.index - before.lastIndexOf("\n");
  // A document that ends early ends where the file ends, even inside a multi-byte character.
  const offset = found.index === text.length ? bytes.length : bomBytes + encoder.encode(before).length;
  const what = bytes.length === bomBytes ? "the file is empty" : found.reason;
  throw corrupted(path, offset, what, ` (line ${line}, column ${column})`);
}

/** Strict UTF-8 decoding; an incomplete character at the very end is a cut, not bad bytes. */
function decodeUtf8(bytes: Uint8Array, path: string, bomBytes: number): { text: string; cutCharacter: boolean } {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let text: string;
  try {
    text = decoder.decode(bytes, { stream: true });
  } catch {
    throw corrupted(path, bomBytes + firstInvalidUtf8(bytes), "bytes that are not UTF-8 text", "");
  }
  try {
    decoder.decode();
    return { text, cutCharacter: false };
  } catch {
    return { text, cutCharacter: true };
  }
}

function corrupted(path: string, offset: number, what: string, where: string): CorruptionError {
  return new CorruptionError(
    `${path} is not valid JSON: ${what} at byte ${offset}${where}. The file is damaged, often by a write ` +
      `cut short by a crash. Restore it from a backup or repair it at that position; a mirror view can be ` +
      `deleted and is rewritten from the store.`,
    { path, offset },
  );
}

/** The offset of the first byte that does not round-trip through UTF-8 decoding. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const again = encoder.encode(new TextDecoder().decode(bytes));
  let i = 0;
  while (i < bytes.length && bytes[i] === again[i]) i += 1;
  return i;
}
