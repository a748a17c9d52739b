import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemSpecs } from "../src/adapters/index.js";
import { postgresGame, remoteGame, socketProcesses } from "../src/game/systems.js";
import { player } from "../src/record.js";
import type { BenchReport } from "../src/report.js";
import type { AdapterResult } from "../src/runner.js";
import { quickSizes } from "../src/workload.js";
import { workloads } from "../src/workloads/index.js";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

let scratch = "";
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "bench-quick-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function bench(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ stdout: string; stderr: string; report: BenchReport }> {
  const out = join(scratch, `${args.join("_").replace(/[^a-z0-9_]/gi, "")}.json`);
  const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/main.ts", ...args, "--out", out], {
    cwd: packageDir,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return { stdout, stderr, report: JSON.parse(await readFile(out, "utf8")) as BenchReport };
}

/**
 * The game suite's rows: the log and SQLite in every game workload; the socket row in game-ops, and
 * PostgreSQL there too when a server answers (unavailable, with the reason, when none does).
 */
function expectGameSuite(report: BenchReport): void {
  const postgres = report.adapters.find((adapter) => adapter.name === postgresGame.name);
  for (const workload of report.workloads) {
    if (!workload.name.startsWith("game-")) continue;
    const ran = workload.results.filter((result) => result.status === "ok").map((result) => result.adapter);
    const ops = workload.name === "game-ops";
    const expected = ["@store/log always", "better-sqlite3", ...(ops && postgres?.unavailable === null ? [postgresGame.name] : []), ...(ops ? [remoteGame.name] : [])];
    expect(ran, workload.name).toEqual(expected);
    if (ops && postgres?.unavailable !== null) {
      expect(workload.results.find((result) => result.adapter === postgresGame.name)?.reason).toMatch(/PostgreSQL/);
    }
    if (ops) expectWarmedUp(workload.results.filter((result) => result.status === "ok"));
  }
}

/**
 * game-ops counts only the measured operations, and every system played its warm-up first (the
 * socket row's count comes from the client processes that then measured). A process's last coin
 * flip may add one operation to its share.
 */
function expectWarmedUp(results: readonly AdapterResult[]): void {
  const within = (value: number | null | undefined, planned: number, label: string): void => {
    expect(value, label).toBeGreaterThanOrEqual(planned);
    expect(value, label).toBeLessThanOrEqual(planned + socketProcesses);
  };
  for (const { adapter, median } of results) {
    within(median.ops, quickSizes.gameOps, `${adapter}: measured operations`);
    expect(median.transfers! + 2 * median.coinFlips!, adapter).toBe(median.ops);
    within(median.warmupOps, quickSizes.gameWarmupOps, `${adapter}: warm-up operations`);
  }
}

describe("pnpm bench --quick (end to end, in a child process)", () => {
  it("reports every system in every workload, with numbers for each one that ran", async () => {
    const dataParent = join(scratch, "data");
    const { stdout, stderr, report } = await bench(["--quick", "--dir", dataParent]);
    expect(report.adapters.map((adapter) => adapter.name)).toEqual(systemSpecs.map((spec) => spec.name));
    expect(report.workloads.map((workload) => workload.name)).toEqual(workloads.map((workload) => workload.name));
    for (const workload of report.workloads) {
      expect(workload.results.map((result) => result.adapter)).toEqual(systemSpecs.map((spec) => spec.name));
      for (const result of workload.results) {
        expect(result.status, `${workload.name} / ${result.adapter}: ${result.reason ?? ""}`).not.toBe("failed");
        if (result.status !== "ok") continue;
        expect(result.runs).toHaveLength(1);
        expect(result.median[workload.headline.key], `${workload.name} / ${result.adapter}`).toBeGreaterThan(0);
      }
      expect(stdout).toContain(`### ${workload.name}:`);
    }
    // The workload's value size is in the cold-start table; the memory workload opens its two stores.
    const ours = (name: string): Record<string, number | null> => report.workloads.find((workload) => workload.name === name)?.results.find((result) => result.adapter === "@store/log always")?.median ?? {};
    expect(ours("cold-start").valueBytes).toBe(Buffer.byteLength(JSON.stringify(player(999, 1))));
    expect([ours("memory").smallKeys, ours("memory").largeKeys]).toEqual([1_000, 10_000]);
    // The game suite runs @store/game on the log beside the same game in SQL, named as such; game-ops
    // also through the socket from 4 processes and on PostgreSQL (unavailable, with why, without a server).
    expectGameSuite(report);
    expect(stdout).toMatch(/^\| @store\/game on @store\/log always, in one process +\| yes +\| [\d,]+ /m);
    expect(stdout).toMatch(/^\| better-sqlite3 \(the same game in SQL\) +\| yes +\| [\d,]+ /m);
    expect(stdout).toMatch(/^\| @store\/game through the socket \(@store\/remote\) from 4 processes +\| yes +\| [\d,]+ /m);
    expect(stdout).toContain("- @store/game on @store/log always, in one process ÷ best durable peer (better-sqlite3 (the same game in SQL)): **");
    expect(stdout).toContain(
      "- @store/game through the socket (@store/remote) from 4 processes ÷ @store/game on @store/log always, in one process: **",
    );
    const peers = report.adapters.filter((adapter) => adapter.role === "peer");
    expect(peers.every((adapter) => adapter.unavailable === null)).toBe(true);
    // Progress on stderr: every step counted against the total, with the time left.
    const steps = stderr.split("\n").filter((line) => /^\[bench\] \d+\/\d+ \(\d+%\) /.test(line));
    const total = Number(/^\[bench\] 1\/(\d+) /.exec(steps[0] ?? "")?.[1]);
    expect(steps.length).toBe(total);
    expect(steps.at(-1)).toMatch(new RegExp(`^\\[bench\\] ${total}/${total} .* elapsed, about \\d+ s left$`));
    expect(stderr).toMatch(new RegExp(`\\[bench\\] done: ${total} steps in \\d+`));
    // The load averages and the CPU count, for the run and for each workload, in the JSON and the text.
    expect(report.load?.end.cpus).toBe(cpus().length);
    for (const workload of report.workloads) expect(workload.load?.start.loadAverage, workload.name).toHaveLength(3);
    expect(stdout).toMatch(/^load average \(1, 5, 15 min\) [\d.]+, [\d.]+, [\d.]+ at the start, .* at the end; \d+ CPUs$/m);
    expect(stdout.split("\n").filter((line) => line.startsWith("- load average (1, 5, 15 min) "))).toHaveLength(report.workloads.length);
    expect(`${stdout}${stderr}`).not.toMatch(/issue/i);
    // The data folder made under --dir is removed afterwards.
    expect(await readdir(dataParent)).toEqual([]);
  });

  it("--only runs just the named workloads and --runs sets the run count", async () => {
    const { report } = await bench(["--quick", "--only", "sequential", "--runs", "2", "--dir", scratch]);
    expect(report.workloads.map((workload) => workload.name)).toEqual(["sequential"]);
    const ran = report.workloads[0]!.results.filter((result) => result.status === "ok");
    expect(ran.length).toBeGreaterThan(0);
    for (const result of ran) expect(result.runs).toHaveLength(2);
  });

  it("--only game runs the game suite's workloads and nothing else", async () => {
    const { report } = await bench(["--quick", "--only", "game", "--dir", scratch]);
    expect(report.workloads.map((workload) => workload.name)).toEqual(["game-ops", "game-leaderboard", "game-start"]);
    expectGameSuite(report);
    for (const workload of report.workloads) expect(workload.vsBestDurablePeer?.value, workload.name).toBeGreaterThan(0);
  });

  it("shows the PostgreSQL row unavailable, with the reason, when no server answers, and runs the rest", async () => {
    const closed = "postgres://postgres@127.0.0.1:1/postgres";
    const { stdout, report } = await bench(["--quick", "--only", "game-ops", "--dir", scratch], { ...process.env, STORE_PG_URL: closed });
    const results = report.workloads[0]!.results;
    const postgres = results.find((result) => result.adapter === postgresGame.name);
    expect(postgres?.status).toBe("unavailable");
    expect(postgres?.reason).toContain(`no PostgreSQL server answers at ${closed} (set STORE_PG_URL)`);
    expect(stdout).toMatch(/\| @store\/postgres +\| game +\| .* \| unavailable: no PostgreSQL server answers at/);
    const ran = results.filter((result) => result.status === "ok").map((result) => result.adapter);
    expect(ran).toEqual(["@store/log always", "better-sqlite3", remoteGame.name]);
  });

  it("rejects an unknown workload with an error that names it", async () => {
    await expect(bench(["--quick", "--only", "nonsense"])).rejects.toThrow(/unknown workload "nonsense"/);
  });
});
