import { describe, expect, it } from "vitest";
import type { BenchReport, WorkloadReport } from "../src/report.js";
import type { AdapterResult } from "../src/runner.js";
import { formatReport } from "../src/table.js";
import { checkTargets, type TargetCheck } from "../src/targets.js";

function ok(adapter: string, median: Record<string, number>): AdapterResult {
  return { adapter, status: "ok", reason: null, runs: [median], median };
}

function workload(name: string, results: AdapterResult[]): WorkloadReport {
  return {
    name,
    title: name,
    headline: { key: "setsPerSec", better: "higher" },
    columns: [],
    results,
    vsBestDurablePeer: null,
    vsDiskLimit: null,
  };
}

describe("performance targets", () => {
  it("compare ours to the named system as a ratio, and to a fixed limit otherwise", () => {
    const checks = checkTargets([
      workload("concurrent", [
        ok("@store/log always", { setsPerSec: 90, flushesPerSet: 0.06 }),
        ok("lmdb", { setsPerSec: 100 }),
        ok("disk: group commit", { setsPerSec: 100 }),
      ]),
    ]);
    expect(checks).toEqual([
      { target: "concurrent sets/s >= lmdb", value: 0.9, limit: 1, met: false, margin: 0.9 },
      { target: "concurrent sets/s >= 0.9x disk group commit", value: 0.9, limit: 0.9, met: true, margin: 1 },
      { target: "concurrent flushes/set < 0.05", value: 0.06, limit: 0.05, met: false, margin: 0.05 / 0.06 },
    ]);
  });

  it("check the game suite: ops/s as a ratio to SQLite's, leaderboard and start-up against fixed limits", () => {
    const checks = checkTargets([
      workload("game-ops", [ok("@store/log always", { opsPerSec: 4_000 }), ok("better-sqlite3", { opsPerSec: 1_000 })]),
      workload("game-leaderboard", [ok("@store/log always", { topP99Ms: 0.05, rankP99Ms: 0.2 })]),
      workload("game-start", [ok("@store/log always", { readyMs: 800, compactedReadyMs: 200 })]),
      workload("new-keys", [ok("@store/log always", { afterOverBefore: 1.1 })]),
    ]);
    const rounded = (x: number | null): number | null => (x === null ? null : Number(x.toFixed(9)));
    expect(checks.map(({ target, value, met, margin }) => ({ target, value: rounded(value), met, margin: rounded(margin) }))).toEqual([
      { target: "new keys after a scan() <= 1.5x the time before it", value: 1.1, met: true, margin: rounded(1.5 / 1.1) },
      { target: "game: @store/game ops/s >= 3x better-sqlite3 (64 players)", value: 4, met: true, margin: rounded(4 / 3) },
      { target: "game: through the socket from 4 processes >= 0.5x in one process (ops/s)", value: null, met: null, margin: null },
      { target: "game: top 10 of 100k players, p99 < 0.1 ms", value: 0.05, met: true, margin: rounded(2) },
      { target: "game: rank among 100k players, p99 < 0.1 ms", value: 0.2, met: false, margin: rounded(0.5) },
      { target: "game: start-up, 100k players as written < 400 ms", value: 800, met: false, margin: 0.5 },
      { target: "game: start-up, 100k players compacted < 400 ms", value: 200, met: true, margin: 2 },
    ]);
  });

  it("check the socket row against the same load in one process, at least 0.5x", () => {
    const run = (socket: number): TargetCheck | undefined =>
      checkTargets([
        workload("game-ops", [
          ok("@store/log always", { opsPerSec: 4_000 }),
          ok("better-sqlite3", { opsPerSec: 1_000 }),
          ok("@store/remote, 4 processes", { opsPerSec: socket }),
        ]),
      ]).find((check) => check.target.startsWith("game: through the socket"));
    expect(run(2_400)).toEqual({
      target: "game: through the socket from 4 processes >= 0.5x in one process (ops/s)",
      value: 0.6,
      limit: 0.5,
      met: true,
      margin: 1.2,
    });
    expect(run(1_000)).toMatchObject({ value: 0.25, met: false, margin: 0.5 });
  });

  it("report n/a when a side did not run, and skip workloads that were not run", () => {
    const failed: AdapterResult = { adapter: "lmdb", status: "failed", reason: "boom", runs: [], median: {} };
    const checks = checkTargets([workload("concurrent", [ok("@store/log always", { setsPerSec: 1 }), failed])]);
    expect(checks.map((check) => check.met)).toEqual([null, null, null]);
  });
});

describe("the printed report", () => {
  it("names the targets table without the project's internal words", () => {
    const report: BenchReport = {
      startedAt: "2026-01-01T00:00:00.000Z",
      command: "pnpm bench",
      environment: { node: "v20" },
      adapters: [],
      workloads: [],
      targets: [
        { target: "concurrent sets/s >= lmdb", value: 1.2, limit: 1, met: true, margin: 1.2 },
        { target: "game: start-up, 100k players as written < 400 ms", value: 1_000, limit: 400, met: false, margin: 0.4 },
      ],
    };
    const text = formatReport(report);
    expect(text).toContain("| target for @store/log always");
    expect(text).toMatch(/\| concurrent sets\/s >= lmdb +\| 1\.200 +\| met +\| 1\.20x better than the limit +\|/);
    expect(text).toMatch(/\| 1,000\.000 +\| MISSED \| 2\.50x worse than the limit +\|/);
    expect(text).not.toMatch(/issue/i);
  });

  it("names a workload's systems by its labels, in rows and in ratios, with small ratios kept readable", () => {
    const results = [ok("@store/log always", { topP50Ms: 0.002, rankP50Ms: 0.003 }), ok("better-sqlite3", { topP50Ms: 0.01, rankP50Ms: 1.5 })];
    const leaderboard: WorkloadReport = {
      ...workload("game-leaderboard", results),
      labels: { "@store/log always": "@store/game on @store/log always", "better-sqlite3": "better-sqlite3 (the same game in SQL)" },
      headline: { key: "topP50Ms", better: "lower" },
      columns: [
        { key: "topP50Ms", label: "top 10 p50 ms", digits: 4 },
        { key: "rankP50Ms", label: "rank p50 ms", digits: 4 },
      ],
      vsBestDurablePeer: { against: "better-sqlite3", value: 0.2 },
      comparisons: [{ key: "rankP50Ms", better: "lower", against: "better-sqlite3", value: 0.002 }],
    };
    const text = formatReport({
      startedAt: "2026-01-01T00:00:00.000Z",
      command: "pnpm bench",
      environment: {},
      adapters: [
        { name: "@store/log always", role: "ours", durability: "", durable: true, unavailable: null },
        { name: "better-sqlite3", role: "peer", durability: "", durable: true, unavailable: null },
      ],
      workloads: [leaderboard],
      targets: [],
    });
    expect(text).toMatch(/\| @store\/game on @store\/log always +\| yes +\| 0\.0020 +\| 0\.0030 +\|/);
    expect(text).toMatch(/\| better-sqlite3 \(the same game in SQL\) +\| yes +\| 0\.0100 +\| 1\.5000 +\|/);
    expect(text).toContain(
      "- @store/game on @store/log always ÷ best durable peer (better-sqlite3 (the same game in SQL)): **0.20x** on top 10 p50 ms (lower is better)",
    );
    expect(text).toContain("**0.0020x** on rank p50 ms (lower is better)");
  });

  it("gives a ratio between two named systems under the table (the socket row against one process)", () => {
    const ops: WorkloadReport = {
      ...workload("game-ops", [ok("@store/log always", { opsPerSec: 2_000 }), ok("@store/remote, 4 processes", { opsPerSec: 1_200 })]),
      labels: { "@store/log always": "in one process", "@store/remote, 4 processes": "through the socket" },
      headline: { key: "opsPerSec", better: "higher" },
      columns: [{ key: "opsPerSec", label: "ops/s", digits: 0 }],
      pairs: [{ system: "@store/remote, 4 processes", against: "@store/log always", key: "opsPerSec", better: "higher", value: 0.6 }],
    };
    const text = formatReport({ startedAt: "", command: "pnpm bench", environment: {}, adapters: [], workloads: [ops], targets: [] });
    expect(text).toContain("- through the socket ÷ in one process: **0.60x** on ops/s (higher is better)");
  });
});
