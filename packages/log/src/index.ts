export { openStore } from "./open-store.js";
export { Store, type ChangeEvent, type ChangeListener, type ChangeOp, type RangeEntry, type RangeOptions, type StoreStats, type SubscribeOptions, type WriteResult } from "./store.js";
export { toKeyValueStore, type KeyValueStoreOptions } from "./kv-adapter.js";
export type { CompactionResult } from "./store-compaction.js";
export type { StoreOptions, SyncMode, CorruptionPolicy } from "./options.js";
export type { BatchOp, WriteOptions } from "./write-request.js";
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
export { verifyFolder, type VerifyReport, type VerifyFinding, type VerifiedFile, type VerifyOptions, type VerifyProgress } from "./verify-folder.js";
export { followLog, type FollowedRecord, type FollowOptions } from "./follow-log.js";
export { backupFolder, type BackupResult, type BackupOptions } from "./backup-folder.js";
export { exportEntries, type EntryExport, type ExportedEntry, type ExportOptions } from "./export-entries.js";
export { exportLines, EXPORT_FORMAT, EXPORT_FORMATS, EXPORT_VERSION, type ExportFormat, type ExportHeader } from "./export-file.js";
export { importEntries, type ImportResult, type ImportOptions } from "./import-entries.js";
export { describeFolder, type FolderDescription, type FolderFile, type SegmentFile, type DescribeOptions } from "./describe-folder.js";
export { listBackups, type BackupFile } from "./backup-files.js";
export { restoreTo, type RestoreOptions, type RestoreResult } from "./restore-to.js";
