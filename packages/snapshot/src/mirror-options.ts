import { assertClock, nodeFileSystem, nodeProcessProbe, isTempName, systemClock, type Clock, type FileSystem, type JsonValue, type ProcessProbe } from "@store/fs";
import { JSON_FILE_DEPTH_MAX_DEFAULT, assertDepth, assertOptionBag, assertSpaces, show } from "./json-file.js";
import { MANIFEST_FILE_NAME } from "./manifest.js";
import type { MirrorSource } from "./source.js";

/**
 * A view with its values reshaped: `transform(key, value)` gets each entry's full key and stored
 * value and returns what the file holds for it (`undefined` leaves the entry out). It must not modify
 * `value` (the source's own, in memory). A throw fails that view's write like a refused value.
 */
export interface MirrorView {
  readonly prefix: string;
  readonly transform?: ((key: string, value: JsonValue) => JsonValue | undefined) | undefined;
}

/** A view as the mirror uses it: its prefix, and the transform if it has one. */
export interface ResolvedView {
  readonly prefix: string;
  readonly transform: ((key: string, value: JsonValue) => JsonValue | undefined) | undefined;
}

export interface MirrorOptions {
  /** The folder the view files and `manifest.json` live in; created if missing. Required. */
  readonly dir: string;
  /**
   * File name -> key prefix, e.g. `{ "players.json": "players/" }`: the file holds
   * `{ "<key without prefix>": value, ... }` for every key that starts with the prefix. Or file name
   * -> `{ prefix, transform }` to write `transform(key, value)` instead of each value. Required,
   * at least one. Names are plain file names (no folders), not `manifest.json`, not starting with ".".
   */
  readonly views: Readonly<Record<string, string | MirrorView>>;
  /** The least time between two background writes of the same view, in ms. Default 1 000. */
  readonly intervalMs?: number;
  /** Indentation of the view files, in spaces (0: one line). Default 2. */
  readonly spaces?: number;
  /**
   * Deepest nesting of a value in a view (the view file nests one level more). Default 1 000; keep
   * it at least the source's own limit (`@store/log`'s `valueDepthMax`, 64 by default).
   */
  readonly valueDepthMax?: number;
  /** Wait before retrying a view whose write failed, in ms; doubles per consecutive failure. Default 1 000. */
  readonly backoffInitialMs?: number;
  /** The longest wait between retries of a failing view, in ms. Default 60 000. */
  readonly backoffMaxMs?: number;
  /** Default: the real disk. */
  readonly fs?: FileSystem;
  /** Tells which pids are alive, to remove temp files left by dead writers. Default: this host's processes. */
  readonly processProbe?: ProcessProbe;
  /**
   * Called with every failed background write (the view stays dirty and is retried after a backoff).
   * Default: `process.emitWarning`. `flush()` and `close()` reject with their own failures.
   */
  readonly onError?: (error: unknown) => void;
  /**
   * Where the mirror reads the time and sets its timer: when a dirty view is next written
   * (coalescing at most one write per `intervalMs`) and when a failing view is retried. Default: the
   * system clock (`@store/fs`). Simulation tests pass a manual one.
   */
  readonly clock?: Clock;
}

export interface ResolvedMirrorOptions {
  readonly dir: string;
  readonly views: ReadonlyMap<string, ResolvedView>;
  readonly intervalMs: number;
  readonly spaces: number;
  readonly valueDepthMax: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly fs: FileSystem;
  readonly processProbe: ProcessProbe;
  readonly onError: (error: unknown) => void;
  readonly clock: Clock;
}

const OPTION_NAMES: readonly (keyof MirrorOptions)[] = [
  "dir",
  "views",
  "intervalMs",
  "spaces",
  "valueDepthMax",
  "backoffInitialMs",
  "backoffMaxMs",
  "fs",
  "processProbe",
  "onError",
  "clock",
];

export function resolveMirrorOptions(options: MirrorOptions): ResolvedMirrorOptions {
  assertOptionBag(options, OPTION_NAMES, "createMirror");
  if (typeof options.dir !== "string" || options.dir === "") {
    throw new TypeError(`createMirror: options.dir must be the path of the folder the view files go in, got ${show(options.dir)}`);
  }
  const onError = options.onError ?? ((error: unknown) => { process.emitWarning(error instanceof Error ? error : new Error(String(error))); });
  if (typeof onError !== "function") throw new TypeError(`createMirror: options.onError must be a function, got ${show(onError)}`);
  const clock = options.clock ?? systemClock;
  assertClock(clock, "createMirror: options.clock");
  const backoffInitialMs = milliseconds(options.backoffInitialMs ?? 1_000, "backoffInitialMs", 1);
  return {
    dir: options.dir,
    views: resolveViews(options.views),
    intervalMs: milliseconds(options.intervalMs ?? 1_000, "intervalMs", 0),
    spaces: assertSpaces(options.spaces ?? 2, "createMirror"),
    valueDepthMax: assertDepth(options.valueDepthMax ?? JSON_FILE_DEPTH_MAX_DEFAULT, "createMirror"),
    backoffInitialMs,
    backoffMaxMs: milliseconds(options.backoffMaxMs ?? Math.max(60_000, backoffInitialMs), "backoffMaxMs", backoffInitialMs),
    fs: options.fs ?? nodeFileSystem,
    processProbe: options.processProbe ?? nodeProcessProbe,
    onError,
    clock,
  };
}

function resolveViews(views: unknown): ReadonlyMap<string, ResolvedView> {
  if (views === undefined) {
    throw new TypeError('createMirror: options.views is required: name each view file and the key prefix it holds, e.g. { "players.json": "players/" }');
  }
  if (typeof views !== "object" || views === null || Array.isArray(views)) {
    throw new TypeError(`createMirror: options.views must be an object of { fileName: keyPrefix or { prefix, transform? } }, got ${show(views)}`);
  }
  const entries = Object.entries(views as Record<string, unknown>);
  if (entries.length === 0) throw new TypeError("createMirror: options.views must name at least one view file");
  const resolved = new Map<string, ResolvedView>();
  for (const [file, view] of entries) {
    if (!isViewName(file)) {
      throw new TypeError(`createMirror: options.views: ${show(file)} is not a usable view file name (a plain name, not ${MANIFEST_FILE_NAME}, not starting with ".")`);
    }
    resolved.set(file, resolveView(file, view));
  }
  return resolved;
}

const VIEW_FIELDS = ["prefix", "transform"];

/** A prefix string, or `{ prefix, transform? }` with nothing else (a misspelled `transfrom` would silently write raw values). */
function resolveView(file: string, view: unknown): ResolvedView {
  if (typeof view === "string") return { prefix: view, transform: undefined };
  const where = `createMirror: options.views[${show(file)}]`;
  if (typeof view !== "object" || view === null || Array.isArray(view)) {
    throw new TypeError(`${where} must be a key prefix string or { prefix, transform? }, got ${show(view)}`);
  }
  const unknown = Object.keys(view).find((name) => !VIEW_FIELDS.includes(name));
  if (unknown !== undefined) throw new TypeError(`${where} has an unknown field ${show(unknown)}; a view has prefix and transform`);
  const { prefix, transform } = view as Record<string, unknown>;
  if (typeof prefix !== "string") throw new TypeError(`${where}.prefix must be a key prefix string, got ${show(prefix)}`);
  if (transform !== undefined && typeof transform !== "function") {
    throw new TypeError(`${where}.transform must be a function (key, value) => value or undefined, got ${show(transform)}`);
  }
  return { prefix, transform: transform as ResolvedView["transform"] };
}

function milliseconds(value: unknown, name: string, least: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < least) {
    throw new TypeError(`createMirror: options.${name} must be a finite number of ms >= ${least}, got ${show(value)}`);
  }
  return value;
}

/** Refuses a source without what the mirror reads, before anything subscribes to it. */
export function assertMirrorSource(source: unknown): asserts source is MirrorSource {
  const { seq, scan, subscribe, checkpoint } = (typeof source === "object" && source !== null ? source : {}) as Partial<Record<keyof MirrorSource, unknown>>;
  if (typeof seq !== "number" || typeof scan !== "function" || typeof subscribe !== "function") {
    throw new TypeError(`createMirror: the source must have seq, scan() and subscribe() (as @store/log's store has), got ${show(source)}`);
  }
  if (checkpoint !== undefined && typeof checkpoint !== "function") {
    throw new TypeError(`createMirror: source.checkpoint must be a function when present, got ${show(checkpoint)}`);
  }
}

function isViewName(file: string): boolean {
  return file !== "" && file !== MANIFEST_FILE_NAME && !file.startsWith(".") && !isTempName(file) && !/[/\\\0]/.test(file);
}
