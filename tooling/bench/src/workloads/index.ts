import type { Workload } from "../workload.js";
import { coldStart } from "./cold-start.js";
import { compactionStall } from "./compaction-stall.js";
import { concurrent } from "./concurrent.js";
import { scale } from "./scale.js";
import { sequential } from "./sequential.js";

/** Every workload, in report order. */
export const workloads: readonly Workload[] = [sequential, concurrent, scale, coldStart, compactionStall];
