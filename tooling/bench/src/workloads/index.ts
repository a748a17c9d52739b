import type { Workload } from "../workload.js";
import { coldStart } from "./cold-start.js";
import { compactionStall } from "./compaction-stall.js";
import { concurrent } from "./concurrent.js";
import { gameLeaderboard } from "./game-leaderboard.js";
import { gameOps } from "./game-ops.js";
import { gameStart } from "./game-start.js";
import { memory } from "./memory.js";
import { newKeys } from "./new-keys.js";
import { scale } from "./scale.js";
import { sequential } from "./sequential.js";

/** Every workload, in report order. */
export const workloads: readonly Workload[] = [
  sequential,
  concurrent,
  scale,
  newKeys,
  coldStart,
  memory,
  compactionStall,
  gameOps,
  gameLeaderboard,
  gameStart,
];
