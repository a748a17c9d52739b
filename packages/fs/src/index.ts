export type { FileHandle, FileStat, FileSystem, OpenFlags } from "./file-system.js";
export { NodeFileSystem, nodeFileSystem } from "./node-file-system.js";
export { writeAll, readToEnd } from "./write-all.js";
export { atomicReplace, type AtomicReplaceOptions, type Chunks } from "./atomic-replace.js";
export { mkdirDurable } from "./durable-mkdir.js";
export { tempPathFor, isTempName, tempFileOwnerPid } from "./paths.js";
export { acquireLock, readLockOwner, LOCK_FILE_NAME, type DirectoryLock, type LockOptions } from "./lock.js";
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
