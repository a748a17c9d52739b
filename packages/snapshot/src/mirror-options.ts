import { nodeFileSystem, isTempName, type FileSystem } from "@store/fs";
import { MANIFEST_FILE_NAME } from "./manifest.js";

export interface MirrorOptions {
  /** The folder the view files and `manifest.json` live in; created if missing. Required. */
  readonly dir: string;
  /**
   * File name -> key prefix, e.g. `{ "players.json": "players/" }`: the file holds
   * `{ "<key without prefix>": value, ... }` for every key that starts with the prefix. Required,
   * at least one. Names are plain file names (no folders), not `manifest.json`, not starting with ".".
   */
  readonly views: Readonly<Record<string, string>>;
  /** The least time between two background writes of the same view, in ms. Default 1 000. */
  readonly intervalMs?: number;
  /** Indentation of the view files, in spaces (0: one line). Default 2. */
  readonly spaces?: number;
  /** Default: the real disk. */
  readonly fs?: FileSystem;
  /**
   * Called with every failed background write (the views stay dirty and are retried on the next
   * tick). Default: `process.emitWarning`. `flush()` and `close()` reject with their own failures.
   */
  readonly onError?: (error: unknown) => void;
}

export interface ResolvedMirrorOptions {
  readonly dir: string;
  readonly views: ReadonlyMap<string, string>;
  readonly intervalMs: number;
  readonly spaces: number;
  readonly fs: FileSystem;
  readonly onError: (error: unknown) => void;
}

export function resolveMirrorOptions(options: MirrorOptions): ResolvedMirrorOptions {
  if (typeof options.dir !== "string" || options.dir === "") throw new TypeError(`options.dir must be a folder path, got ${show(options.dir)}`);
  const entries = Object.entries(options.views as unknown as Record<string, unknown>);
  if (entries.length === 0) throw new TypeError("options.views must name at least one view file");
  const views = new Map<string, string>();
  for (const [file, prefix] of entries) {
    if (!isViewName(file)) {
      throw new TypeError(`options.views: ${show(file)} is not a usable view file name (a plain name, not ${MANIFEST_FILE_NAME}, not starting with ".")`);
    }
    if (typeof prefix !== "string") throw new TypeError(`options.views[${show(file)}] must be a key prefix string, got ${show(prefix)}`);
    views.set(file, prefix);
  }
  const intervalMs = options.intervalMs ?? 1_000;
  if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new TypeError(`options.intervalMs must be a finite number >= 0, got ${show(intervalMs)}`);
  const spaces = options.spaces ?? 2;
  if (!Number.isInteger(spaces) || spaces < 0 || spaces > 10) throw new TypeError(`options.spaces must be an integer from 0 to 10, got ${show(spaces)}`);
  const onError = options.onError ?? ((error: unknown) => { process.emitWarning(error instanceof Error ? error : new Error(String(error))); });
  return { dir: options.dir, views, intervalMs, spaces, fs: options.fs ?? nodeFileSystem, onError };
}

function isViewName(file: string): boolean {
  return file !== "" && file !== MANIFEST_FILE_NAME && !file.startsWith(".") && !isTempName(file) && !/[/\\\0]/.test(file);
}

function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
