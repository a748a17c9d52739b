/**
 * Every error a store package throws on purpose is a StoreError with a stable `code`.
 * Codes never change within a major version; messages may.
 */
export type StoreErrorCode =
  | "STORE_LOCKED"
  | "STORE_CORRUPTED"
  | "STORE_CLOSED"
  | "STORE_FAILED"
  | "STORE_IO"
  | "STORE_CONFLICT"
  | "STORE_INVALID_KEY"
  | "STORE_INVALID_VALUE"
  | "STORE_TOO_LARGE"
  | "STORE_READ_ONLY"
  | "STORE_NOT_A_STORE"
  | "STORE_UNSUPPORTED_FORMAT"
  | "STORE_HISTORY_GONE"
  | "STORE_UNAVAILABLE"
  | "STORE_UNKNOWN_OUTCOME";

export interface StoreErrorDetails {
  /** The file or folder the error is about. */
  readonly path?: string | undefined;
  /** Byte offset inside `path`, for corruption. */
  readonly offset?: number | undefined;
  /** The key the error is about. */
  readonly key?: string | undefined;
  readonly cause?: unknown;
}

/**
 * `Code` lets a layer above the store (the game layer's `GAME_*` codes) throw StoreErrors with codes
 * of its own, so every error the packages throw on purpose is a StoreError with a stable code.
 */
export class StoreError<Code extends string = StoreErrorCode> extends Error {
  readonly code: Code;
  readonly path: string | undefined;
  readonly offset: number | undefined;
  readonly key: string | undefined;

  constructor(code: Code, message: string, details: StoreErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "StoreError";
    this.code = code;
    this.path = details.path;
    this.offset = details.offset;
    this.key = details.key;
  }
}

/** Who holds a data folder's lock, as written in its LOCK file. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** ISO time the holder took the lock. */
  readonly startedAt: string;
  /** The holder's process start time in clock ticks since boot (Linux), to tell a reused pid apart. */
  readonly processStartTicks: number | null;
}

export class StoreLockedError extends StoreError {
  readonly owner: LockOwner | undefined;

  constructor(message: string, details: StoreErrorDetails & { owner?: LockOwner | undefined }) {
    super("STORE_LOCKED", message, details);
    this.name = "StoreLockedError";
    this.owner = details.owner;
  }
}

export class CorruptionError extends StoreError {
  constructor(message: string, details: StoreErrorDetails & { path: string; offset: number }) {
    super("STORE_CORRUPTED", message, details);
    this.name = "CorruptionError";
  }
}

/** The errno-style error that file systems throw (`code` is `ENOENT`, `EIO`, `ENOSPC`, ...). */
export interface ErrnoError extends Error {
  code: string;
  syscall?: string;
  path?: string;
}

export function isErrno(error: unknown, code?: string): error is ErrnoError {
  if (!(error instanceof Error)) return false;
  const errnoCode = (error as Partial<ErrnoError>).code;
  if (typeof errnoCode !== "string" || !errnoCode.startsWith("E")) return false;
  return code === undefined || errnoCode === code;
}

/** Builds an errno-style error the way Node does, for file systems other than Node's. */
export function errnoError(code: string, syscall: string, path: string): ErrnoError {
  const error = new Error(`${code}: ${syscall} '${path}'`) as ErrnoError;
  error.code = code;
  error.syscall = syscall;
  error.path = path;
  return error;
}

/** Wraps an unexpected file-system failure into a STORE_IO error that says what was being done. */
export function ioError(action: string, path: string, cause: unknown): StoreError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreError("STORE_IO", `${action} failed for ${path}: ${reason}`, { path, cause });
}
