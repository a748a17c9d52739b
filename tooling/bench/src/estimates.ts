import type { StepEstimate } from "./progress.js";

/**
 * How long one system's run of each workload takes, averaged over the systems: measured on this
 * project's 2-core VM (ext4) on 2026-11-29, a full run taking 3 min 48 s and a `--quick` run 9 s.
 * Only the time-left estimate uses them, and it rescales them by how this machine compares as the
 * steps finish. A first run may build a dataset that later runs reuse (cold-start, and the game
 * suite's 100k players, built by the first game-leaderboard step of each system).
 */
export const fullStepEstimates: ReadonlyMap<string, StepEstimate> = new Map([
  ["sequential", { firstRunMs: 1_250, laterRunMs: 1_250 }],
  ["concurrent", { firstRunMs: 1_550, laterRunMs: 1_550 }],
  ["scale", { firstRunMs: 2_200, laterRunMs: 2_200 }],
  ["cold-start", { firstRunMs: 5_300, laterRunMs: 1_000 }],
  // + about 1.1 s since 2026-11-30: 1,000 timed sets before the compaction instead of 200.
  ["compaction-stall", { firstRunMs: 5_000, laterRunMs: 5_300 }],
  // Measured 2026-11-30 at load average ~28: 3 runs took 33 s, the first building a store of 1M keys.
  ["memory", { firstRunMs: 25_000, laterRunMs: 4_000 }],
  // Measured 2026-11-29 on the same VM, between runs at load averages 4 and 9 (`--only game,new-keys`
  // took 1 min 37 s to 2 min 45 s). The first game-leaderboard step of a system builds its dataset.
  ["new-keys", { firstRunMs: 8_000, laterRunMs: 8_000 }],
  ["game-ops", { firstRunMs: 9_500, laterRunMs: 9_500 }],
  ["game-leaderboard", { firstRunMs: 14_000, laterRunMs: 2_000 }],
  ["game-start", { firstRunMs: 3_500, laterRunMs: 3_000 }],
]);

export const quickStepEstimates: ReadonlyMap<string, StepEstimate> = new Map([
  ["sequential", { firstRunMs: 100, laterRunMs: 100 }],
  ["concurrent", { firstRunMs: 200, laterRunMs: 200 }],
  ["scale", { firstRunMs: 150, laterRunMs: 150 }],
  ["cold-start", { firstRunMs: 500, laterRunMs: 250 }],
  ["compaction-stall", { firstRunMs: 1_300, laterRunMs: 1_300 }],
  ["memory", { firstRunMs: 500, laterRunMs: 300 }],
  ["new-keys", { firstRunMs: 500, laterRunMs: 500 }],
  ["game-ops", { firstRunMs: 1_000, laterRunMs: 1_000 }],
  ["game-leaderboard", { firstRunMs: 1_000, laterRunMs: 300 }],
  ["game-start", { firstRunMs: 2_000, laterRunMs: 2_000 }],
]);
