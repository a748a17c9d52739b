export {
  createCompactionScheduler,
  SchedulerStoppedError,
  type CompactionRun,
  type CompactionScheduler,
  type CompactionTarget,
  type SchedulerOptions,
} from "./scheduler.js";
export {
  DEFAULT_POLICY,
  backoffDelayMs,
  decideTrigger,
  resolvePolicy,
  type CompactionPolicy,
  type CompactionStats,
  type CompactionTrigger,
  type ResolvedPolicy,
} from "./policy.js";
export { StoreError, type StoreErrorCode } from "@store/fs";
