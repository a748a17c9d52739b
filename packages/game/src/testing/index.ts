// `@store/game/testing`: the kill -9 workload and its checks, for crash tests of any backend the
// game layer runs on (this package's own, `pnpm torture`'s `game` scenario, a future backend's).
export { runCrashOp, type CrashOp } from "./ops.js";
export { runCrashWorkload, type CrashWorkloadOptions } from "./workload.js";
export { checkAfterCrash, CrashCheckError, type Acknowledged } from "./check.js";
