export type {
  ChangeEvent,
  ChangeListener,
  ChangeOp,
  Entry,
  IfVersion,
  KeyValueStats,
  KeyTurn,
  KeyValueStore,
  ReadInTurnOptions,
  ScanOptions,
  SubscribeOptions,
  Subscription,
  WriteOp,
  WriteResult,
} from "./types.js";
export {
  KEY_BYTES_MAX,
  VALUE_DEPTH_MAX,
  BATCH_OPS_MAX,
  BATCH_BYTES_MAX,
  GET_MANY_KEYS_MAX,
  SCAN_LIMIT_DEFAULT,
  SCAN_LIMIT_MAX,
  SUBSCRIBE_PREFIXES_MAX,
} from "./limits.js";
export { filterChangeEvent, keyMatches, reducePrefixes } from "./change-filter.js";
export {
  validateWriteOps,
  validateKeys,
  validateKey,
  validateScanOptions,
  validateSubscribe,
  type Precondition,
  type NormalizedWrite,
  type ValidatedBatch,
  type ValidatedScan,
  type ValidatedSubscribe,
} from "./validate.js";
export { createMemoryStore, type MemoryStoreOptions } from "./memory-store.js";
export {
  update,
  UPDATE_ATTEMPTS_MAX_DEFAULT,
  UPDATE_BACKOFF_MS_MAX_DEFAULT,
  type UpdateCompute,
  type UpdateOptions,
  type UpdatePlan,
  type UpdateResult,
} from "./update.js";
export { acquireKeys, type Release } from "./update-queue.js";
export { scanAll, SCAN_ALL_PAGE_SIZE_DEFAULT, type ScanAllOptions } from "./scan-all.js";
export type { JsonValue, StoreErrorCode } from "@store/fs";
export { StoreError } from "@store/fs";
