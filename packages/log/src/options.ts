import { KEY_BYTES_MAX_DEFAULT, VALUE_DEPTH_MAX_DEFAULT, assertClock, assertOptionNames, nodeFileSystem, systemClock, type Clock, type FileSystem, type ProcessProbe } from "@store/fs";

export type SyncMode = "always" | "interval" | "none";
export type CorruptionPolicy = "fail" | "salvage";

export interface StoreOptions {
  /**
   * When a write is acknowledged (its promise resolves):
   * - `"always"` (default): after its record is written and fdatasync'ed. Nothing acknowledged is
   *   lost on a crash or power loss.
   * - `"interval"`: after the write(2); fdatasync runs every `syncIntervalMs`. A process crash loses
   *   nothing; power loss loses at most the last `syncIntervalMs` of acknowledged writes.
   * - `"none"`: after the write(2); fdatasync only on `checkpoint()`, segment roll, compaction and
   *   `close()`. A process crash loses nothing; power loss can lose everything since the last of those.
   */
  readonly sync?: SyncMode;
  /** Milliseconds between fdatasyncs with `sync: "interval"`. Default 100. */
  readonly syncIntervalMs?: number;
  /** Open without the lock and without writing anything: for inspection tools. Default false. */
  readonly readOnly?: boolean;
  /**
   * What to do with damage that is not a torn tail (a bad record followed by good ones):
   * `"fail"` (default) refuses to open with STORE_CORRUPTED; `"salvage"` keeps the damaged file aside
   * under `damaged/`, keeps every whole record, and reports what it dropped in `store.recovery`.
   */
  readonly onCorruption?: CorruptionPolicy;
  /**
   * Largest encoded record (one set, delete or whole batch), in bytes. Default 16 MiB: room for any
   * batch the `@store/kv` contract accepts (4 MiB of keys and JSON, which escaping can double, plus
   * framing for 10,000 operations).
   */
  readonly recordBytesMax?: number;
  /** Longest key, in UTF-8 bytes. Default 1024. */
  readonly keyBytesMax?: number;
  /** Deepest nesting of arrays and objects in a value. Default 64. */
  readonly valueDepthMax?: number;
  /** Most operations in one batch. Default 10,000. */
  readonly batchOpsMax?: number;
  /** A segment is sealed and a new one started once it grows past this many bytes. Default 64 MiB. */
  readonly segmentBytesMax?: number;
  /** Most bytes written by one group commit (the rest waits for the next). Default 8 MiB. */
  readonly groupBytesMax?: number;
  /**
   * The active segment is extended with fdatasync'ed zeros this many bytes at a time, ahead of its
   * records, so that a commit's fdatasync changes no file size (faster on most file systems).
   * Default 1 MiB; 0 turns it off (plain appends).
   */
  readonly segmentPreallocateBytes?: number;
  /** Compactions whose replaced files are kept, gzipped, in `backups/`. Default 3; 0 keeps none. */
  readonly backupsMax?: number;
  /**
   * Committed writes kept in memory so that a subscriber can resume from a recent seq
   * (`subscribe(listener, { afterSeq })`). Default 1,024; 0 keeps none.
   */
  readonly changeHistoryMax?: number;
  /** The file system to use. Default: the real disk. Tests pass a simulated one. */
  readonly fs?: FileSystem;
  /** How the lock tells live processes from dead ones. Default: this process and /proc. */
  readonly processProbe?: ProcessProbe;
  /**
   * Where the store reads the time and sets its timer: the `ts` of each record (which
   * point-in-time restore goes by), `stats().lastCompactionAtMs` (which a scheduler's age trigger
   * goes by) and, with `sync: "interval"`, the sync timer. Default: the system clock of `@store/fs`.
   */
  readonly clock?: Clock;
}

export interface ResolvedOptions {
  readonly sync: SyncMode;
  readonly syncIntervalMs: number;
  readonly readOnly: boolean;
  readonly onCorruption: CorruptionPolicy;
  readonly recordBytesMax: number;
  readonly keyBytesMax: number;
  readonly valueDepthMax: number;
  readonly batchOpsMax: number;
  readonly segmentBytesMax: number;
  readonly groupBytesMax: number;
  readonly segmentPreallocateBytes: number;
  readonly backupsMax: number;
  readonly changeHistoryMax: number;
  readonly fs: FileSystem;
  readonly processProbe: ProcessProbe | undefined;
  readonly clock: Clock;
}

const MIB = 1024 * 1024;

/**
 * Every option name, so that a misspelled one (`synk`) is refused instead of silently ignored. A
 * Record of every key: an option added to StoreOptions and not here does not compile.
 */
const KNOWN_OPTIONS: Readonly<Record<keyof StoreOptions, true>> = {
  sync: true,
  syncIntervalMs: true,
  readOnly: true,
  onCorruption: true,
  recordBytesMax: true,
  keyBytesMax: true,
  valueDepthMax: true,
  batchOpsMax: true,
  segmentBytesMax: true,
  groupBytesMax: true,
  segmentPreallocateBytes: true,
  backupsMax: true,
  changeHistoryMax: true,
  fs: true,
  processProbe: true,
  clock: true,
};
const OPTION_NAMES: readonly string[] = Object.keys(KNOWN_OPTIONS);

export function resolveOptions(options: StoreOptions): ResolvedOptions {
  assertKnownOptions(options);
  const resolved: ResolvedOptions = {
    sync: oneOf("sync", options.sync ?? "always", ["always", "interval", "none"]),
    syncIntervalMs: positiveInteger("syncIntervalMs", options.syncIntervalMs ?? 100),
    readOnly: options.readOnly ?? false,
    onCorruption: oneOf("onCorruption", options.onCorruption ?? "fail", ["fail", "salvage"]),
    recordBytesMax: positiveInteger("recordBytesMax", options.recordBytesMax ?? 16 * MIB),
    keyBytesMax: positiveInteger("keyBytesMax", options.keyBytesMax ?? KEY_BYTES_MAX_DEFAULT),
    valueDepthMax: positiveInteger("valueDepthMax", options.valueDepthMax ?? VALUE_DEPTH_MAX_DEFAULT),
    batchOpsMax: positiveInteger("batchOpsMax", options.batchOpsMax ?? 10_000),
    segmentBytesMax: positiveInteger("segmentBytesMax", options.segmentBytesMax ?? 64 * MIB),
    groupBytesMax: positiveInteger("groupBytesMax", options.groupBytesMax ?? 8 * MIB),
    segmentPreallocateBytes: nonNegativeInteger("segmentPreallocateBytes", options.segmentPreallocateBytes ?? MIB),
    backupsMax: nonNegativeInteger("backupsMax", options.backupsMax ?? 3),
    changeHistoryMax: nonNegativeInteger("changeHistoryMax", options.changeHistoryMax ?? 1024),
    fs: options.fs ?? nodeFileSystem,
    processProbe: options.processProbe,
    clock: options.clock ?? systemClock,
  };
  assertClock(resolved.clock, "openStore() option clock");
  return resolved;
}

function assertKnownOptions(options: StoreOptions): void {
  const value: unknown = options;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`openStore() options must be an object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}.`);
  }
  assertOptionNames(value, OPTION_NAMES, "openStore()");
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (allowed.includes(value as T)) return value as T;
  throw new TypeError(`Option ${name} must be one of ${allowed.map((item) => `"${item}"`).join(", ")}, got ${JSON.stringify(value)}.`);
}

function positiveInteger(name: string, value: unknown): number {
  if (Number.isSafeInteger(value) && (value as number) > 0) return value as number;
  throw new TypeError(`Option ${name} must be a positive integer, got ${JSON.stringify(value)}.`);
}

function nonNegativeInteger(name: string, value: unknown): number {
  if (Number.isSafeInteger(value) && (value as number) >= 0) return value as number;
  throw new TypeError(`Option ${name} must be a non-negative integer, got ${JSON.stringify(value)}.`);
}
