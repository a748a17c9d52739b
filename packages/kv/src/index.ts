export type {
  ChangeEvent,
  ChangeListener,
  ChangeOp,
  Entry,
  IfVersion,
  KeyValueStats,
  KeyValueStore,
  ScanOptions,
  SubscribeOptions,
  Subscription,
  WriteOp,
  WriteResult,
} from "./types.js";
