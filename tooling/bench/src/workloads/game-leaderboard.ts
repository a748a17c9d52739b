import { ensurePlayersDataset } from "../game/dataset.js";
import type { GameSystem } from "../game/system.js";
import { gameLabels, hasWholeGameSuite, withGameSystem } from "../game/systems.js";
import { randomInt, seededRandom } from "../random.js";
import { summarizeLatencies } from "../stats.js";
import type { Workload } from "../workload.js";

/** Untimed calls first, so that neither side is timed while its code is still being compiled. */
const warmUpCalls = 200;

/** Times each call on its own; `sink` keeps the results alive so that no call can be optimised away. */
function timeCalls(calls: number, call: (n: number) => number): { latenciesMs: number[]; sink: number } {
  const latenciesMs: number[] = [];
  let sink = 0;
  for (let n = 0; n < calls; n++) {
    const before = performance.now();
    sink += call(n);
    latenciesMs.push(performance.now() - before);
  }
  return { latenciesMs, sink };
}

/** The answers must make sense before their speed means anything. */
function assertLeaderboard(name: string, system: GameSystem, players: number): void {
  const top = system.top(10);
  const sorted = top.every((entry, index) => index === 0 || top[index - 1]!.score >= entry.score);
  if (top.length !== Math.min(10, players) || !sorted) throw new Error(`${name}: top(10) gave ${JSON.stringify(top)}`);
  const first = top[0];
  if (first !== undefined && system.rank(first.id) !== 1) throw new Error(`${name}: the first of top(10) is ranked ${system.rank(first.id)}`);
}

/**
 * `top(10)` and `rank(id)` of random players among the dataset's 100k, each call timed alone:
 * @store/game answers from its in-memory index, SQLite with `ORDER BY score DESC LIMIT 10` and a
 * `COUNT(*)` of the higher scores, both on the index on score.
 */
export const gameLeaderboard: Workload = {
  name: "game-leaderboard",
  suite: "game",
  title: "Game: leaderboard calls among 100k players (top 10, rank of a random player)",
  labels: gameLabels,
  columns: [
    { key: "players", label: "players", digits: 0 },
    { key: "topP50Ms", label: "top 10 p50 ms", digits: 4 },
    { key: "topP99Ms", label: "top 10 p99 ms", digits: 4 },
    { key: "rankP50Ms", label: "rank p50 ms", digits: 4 },
    { key: "rankP99Ms", label: "rank p99 ms", digits: 4 },
  ],
  headline: { key: "topP50Ms", better: "lower" },
  comparisons: [{ key: "rankP50Ms", better: "lower" }],
  limit: null,
  appliesTo: hasWholeGameSuite,
  run: async (spec, { sizes, datasetsDir }) => {
    const dataset = await ensurePlayersDataset(spec.name, datasetsDir, sizes);
    const ids = dataset.playerIds;
    return withGameSystem(spec.name, dataset.asWritten, async (system) => {
      assertLeaderboard(spec.name, system, ids.length);
      const random = seededRandom(7);
      const picks = Array.from({ length: warmUpCalls + sizes.leaderboardCalls }, () => ids[randomInt(random, ids.length)]!);
      timeCalls(warmUpCalls, () => system.top(10).length + (system.rank(picks[0]!) ?? 0));
      const top = timeCalls(sizes.leaderboardCalls, () => system.top(10).length);
      const rank = timeCalls(sizes.leaderboardCalls, (n) => system.rank(picks[warmUpCalls + n]!) ?? Number.NaN);
      if (top.sink !== 10 * sizes.leaderboardCalls || !Number.isFinite(rank.sink)) {
        throw new Error(`${spec.name}: a leaderboard call found no answer (top sum ${top.sink}, rank sum ${rank.sink})`);
      }
      const topLatency = summarizeLatencies(top.latenciesMs);
      const rankLatency = summarizeLatencies(rank.latenciesMs);
      return {
        players: ids.length,
        calls: sizes.leaderboardCalls,
        topP50Ms: topLatency.p50Ms,
        topP99Ms: topLatency.p99Ms,
        topMaxMs: topLatency.maxMs,
        rankP50Ms: rankLatency.p50Ms,
        rankP99Ms: rankLatency.p99Ms,
        rankMaxMs: rankLatency.maxMs,
      };
    });
  },
};
