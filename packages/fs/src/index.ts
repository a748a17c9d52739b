export type { FileHandle, FileStat, FileSystem, OpenFlags } from "./file-system.js";
export { NodeFileSystem, nodeFileSystem } from "./node-file-system.js";
export { writeAll, readToEnd } from "./write-all.js";
export { atomicReplace, type AtomicReplaceOptions, type Chunks } from "./atomic-replace.js";
export { mkdirDurable } from "./durable-mkdir.js";
export { tempPathFor, isTempName, tempFileOwnerPid } from "./paths.js";
export { acquireLock, lockHolderAlive, readLockOwner, LOCK_FILE_NAME, type DirectoryLock, type LockOptions } from "./lock.js";
export { nodeProcessProbe, type ProcessProbe } from "./process-probe.js";
export {
  StoreError,
  StoreLockedError,
  CorruptionError,
  isErrno,
  errnoError,
  ioError,
  type ErrnoError,
  type LockOwner,
  type StoreErrorCode,
  type StoreErrorDetails,
} from "./errors.js";
export {
  assertJsonValue,
  jsonValueProblem,
  deepFreeze,
  quote,
  show,
  VALUE_DEPTH_MAX_DEFAULT,
  type JsonValue,
  type JsonCompatible,
  type JsonMember,
  type ValueLimits,
} from "./json-value.js";
export type { ChangeEvent, ChangeListener, ChangeOp } from "./change-event.js";
export { parseFrozenJson, jsonTextOf, lazySetOp, withLazyValue } from "./json-text.js";
export { systemClock, assertClock, type Clock } from "./clock.js";
export { assertKey, keyProblem, KEY_BYTES_MAX_DEFAULT, type KeyLimits } from "./keys.js";
export { assertOptionNames } from "./option-names.js";
