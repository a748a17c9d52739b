import { describe, expect, it } from "vitest";
import type { BenchReport, WorkloadReport } from "../src/report.js";
import type { AdapterResult } from "../src/runner.js";
import { formatReport } from "../src/table.js";
import { checkTargets } from "../src/targets.js";

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
      { target: "concurrent sets/s >= lmdb", value: 0.9, limit: 1, met: false },
      { target: "concurrent sets/s >= 0.9x disk group commit", value: 0.9, limit: 0.9, met: true },
      { target: "concurrent flushes/set < 0.05", value: 0.06, limit: 0.05, met: false },
    ]);
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
      targets: [{ target: "concurrent sets/s >= lmdb", value: 1.2, limit: 1, met: true }],
    };
    const text = formatReport(report);
    expect(text).toContain("| target for @store/log always");
    expect(text).not.toMatch(/issue/i);
  });
});
