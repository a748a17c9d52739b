export { openStore } from "./open-store.js";
export { Store, type ChangeEvent, type ChangeListener, type ChangeOp, type RangeEntry, type RangeOptions, type StoreStats, type SubscribeOptions, type WriteResult } from "./store.js";
export { toKeyValueStore } from "./kv-adapter.js";
export type { CompactionResult } from "./store-compaction.js";
export type { StoreOptions, SyncMode, CorruptionPolicy } from "./options.js";
export type { BatchOp } from "./write-request.js";
export type { JsonValue } from "@store/fs";
export type { RecoveryReport } from "./recovery.js";
export { readLog, type LogEntry } from "./read-log.js";
export {
  encodeRecord,
  decodeLine,
  FORMAT_VERSION,
  type LogRecord,
  type WriteRecord,
  type HeaderRecord,
  type SetRecord,
  type DelRecord,
  type BatchRecord,
  type EntryRecord,
  type EndRecord,
} from "./format.js";
export { scanFile, type Damage, type ScanResult, type ScanOptions } from "./reader.js";
export { StoreError, StoreLockedError, CorruptionError, type StoreErrorCode } from "@store/fs";
