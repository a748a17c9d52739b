import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ensurePlayersDataset } from "../game/dataset.js";
import { gameLabels, hasWholeGameSuite } from "../game/systems.js";
import type { Metrics, Workload } from "../workload.js";

const run = promisify(execFile);
const childPath = fileURLToPath(new URL("../game/start-child.ts", import.meta.url));
const megabyte = 1024 * 1024;

interface ChildReport {
  readonly readyMs: number;
  readonly storeOpenMs: number;
  readonly peakRssBytes: number;
  readonly rssBeforeBytes: number;
}

/** Opens `dir` in a fresh process (the same loader flags as this one, so TypeScript runs). */
async function startInChild(name: string, dir: string, players: number): Promise<ChildReport> {
  const { stdout } = await run(process.execPath, [...process.execArgv, childPath, name, dir, String(players)], {
    maxBuffer: megabyte,
  });
  return JSON.parse(stdout) as ChildReport;
}

/** `readyMs` for the folder as written, `compactedReadyMs` for the compacted one. */
function report(child: ChildReport, prefix: "" | "compacted"): Metrics {
  const key = (name: string): string => (prefix === "" ? name : `${prefix}${name[0]!.toUpperCase()}${name.slice(1)}`);
  return {
    [key("readyMs")]: child.readyMs,
    [key("storeOpenMs")]: child.storeOpenMs,
    [key("peakRssMB")]: child.peakRssBytes / megabyte,
    [key("rssGrowthMB")]: Math.max(0, child.peakRssBytes - child.rssBeforeBytes) / megabyte,
  };
}

/**
 * A new process opens the dataset of 100k players until the leaderboard answers its first top 10:
 * for @store/game, the log opened and `createGame` ready (leaderboard and expiry indexes built by a
 * scan), from the folder as written and after `compact()`; for SQLite, the database opened and the
 * first `ORDER BY score DESC LIMIT 10`.
 */
export const gameStart: Workload = {
  name: "game-start",
  suite: "game",
  title: "Game: start-up with 100k players in a new process (open until the first top 10)",
  labels: gameLabels,
  columns: [
    { key: "readyMs", label: "ready ms", digits: 1 },
    { key: "storeOpenMs", label: "of which store open ms", digits: 1 },
    { key: "peakRssMB", label: "peak RSS MB", digits: 0 },
    { key: "compactedReadyMs", label: "compacted ready ms", digits: 1 },
    { key: "compactedStoreOpenMs", label: "compacted store open ms", digits: 1 },
  ],
  headline: { key: "readyMs", better: "lower" },
  comparisons: [{ key: "compactedReadyMs", againstKey: "readyMs", better: "lower" }],
  limit: null,
  appliesTo: hasWholeGameSuite,
  run: async (spec, { sizes, datasetsDir }) => {
    const dataset = await ensurePlayersDataset(spec.name, datasetsDir, sizes);
    const players = dataset.playerIds.length;
    const metrics: Metrics = { players, ...report(await startInChild(spec.name, dataset.asWritten, players), "") };
    if (dataset.compacted !== null) {
      Object.assign(metrics, report(await startInChild(spec.name, dataset.compacted, players), "compacted"));
    }
    return metrics;
  },
};
