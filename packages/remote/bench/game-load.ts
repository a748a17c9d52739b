// `pnpm --filter @store/remote bench [--seconds 10] [--warmup 3] [--players 16] [--processes 4]`: the game
// workload of the kill -9 test (transfers, coin flips, duels, house games through @store/game, each
// operation one conditional batch or more) on a @store/log folder (sync: "always"), measured three
// ways with the same players: all in one process on the store itself; from `processes` shard
// processes through a store server's Unix socket; and all from one client process through the
// socket (the socket's cost without the extra processes). Operations per second and latency
// percentiles (ms, from the call to its answer, conflict retries included). Each way first runs the
// same players for `--warmup` seconds, unmeasured (every process compiles its hot code then: a bot's
// shards run for days, and four cold processes would otherwise pay four warm-ups in the figures).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createGame, type Game } from "@store/game";
import { openStore, toKeyValueStore } from "@store/log";
import { runPlayers } from "../test/fixtures/workload.js";
// By path, not as a package: @store/bench depends on @store/remote (see that file).
import { combine, runClients, startScript, type LineChild } from "../../../tooling/bench/src/game/socket-load.js";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "10" }, warmup: { type: "string", default: "3" }, players: { type: "string", default: "16" }, processes: { type: "string", default: "4" } },
});
const durationMs = Number(values.seconds) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const players = Number(values.players);
const processes = Number(values.processes);

interface Measured {
  readonly name: string;
  readonly ops: number;
  readonly elapsedMs: number;
  readonly latencies: number[];
  /** CPU time of every process involved, in ms. */
  readonly cpuMs: number;
}

// The server and client processes are started and steered by the bench tooling's socket harness,
// which the game suite's socket row (`pnpm bench --only game`) uses too.
const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`];
const run = (script: string, args: string[]): LineChild => startScript(new URL(script, import.meta.url), args, ["--import", "tsx", ...profile]);

/** Every process's players on one game in this process, as the socket clients play them. */
function playAll(game: Game, round: { seed: number; keyPrefix?: string; stopped: () => boolean; onLatency: (latencyMs: number) => void }): Promise<unknown> {
  return Promise.all(
    Array.from({ length: processes }, (_, index) =>
      runPlayers(game, {
        process: index,
        processes,
        players,
        seed: round.seed,
        ...(round.keyPrefix === undefined ? {} : { keyPrefix: round.keyPrefix }),
        stopped: round.stopped,
        reconnected: async () => undefined,
        onAck: (_op, _result, latencyMs) => {
          round.onLatency(latencyMs);
        },
        onRefused: (_op, _code, latencyMs) => {
          round.onLatency(latencyMs);
        },
        onRetry: () => undefined,
      }),
    ),
  );
}

async function inProcess(): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), "remote-bench-"));
  const store = await openStore(dir);
  const game = await createGame(toKeyValueStore(store), { sweepIntervalMs: 0, gameTtlMs: 600_000, onError: () => undefined });
  const warmupUntil = performance.now() + warmupMs;
  await playAll(game, { seed: 2, keyPrefix: "warmup-", stopped: () => performance.now() >= warmupUntil, onLatency: () => undefined });
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  await playAll(game, { seed: 1, stopped: () => performance.now() >= deadline, onLatency: (latencyMs) => {
      latencies.push(latencyMs);
    } });
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  await game.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return { name: `in one process (${processes * players} players)`, ops: latencies.length, elapsedMs, latencies, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function throughSocket(clientProcesses: number): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), "remote-bench-"));
  const socketPath = join(dir, "store.sock");
  const server = run("../test/fixtures/serve.ts", [join(dir, "data"), socketPath]);
  await server.line("listening");
  const perClient = (processes * players) / clientProcesses;
  const clients = Array.from({ length: clientProcesses }, (_, index) => run("./load-client.ts", [socketPath, String(index), String(clientProcesses), String(perClient), String(warmupMs)]));
  let serverCpuStart = 0;
  const whenReady = async (): Promise<void> => {
    serverCpuStart = Number((await server.ask("cpu", "cpu ")).split(" ")[1]);
  };
  const measured = combine(await runClients(clients, String(durationMs), whenReady));
  const serverCpuMs = Number((await server.ask("stop", "stopped")).split(" ")[2]) - serverCpuStart;
  await rm(dir, { recursive: true, force: true });
  return {
    name: `through the socket, ${clientProcesses} process${clientProcesses === 1 ? "" : "es"} x ${perClient} players`,
    ops: measured.latencies.length,
    elapsedMs: measured.elapsedMs,
    latencies: measured.latencies,
    cpuMs: serverCpuMs + measured.cpuMs,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const rows = [await inProcess(), await throughSocket(processes), await throughSocket(1)];
const base = rows[0]!.ops / rows[0]!.elapsedMs;
console.log(`| ${durationMs / 1000} s each, @store/log sync "always" | ops/s | vs in-process | p50 ms | p99 ms | CPU ms per op |`);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const row of rows) {
  const sorted = [...row.latencies].sort((a, b) => a - b);
  const rate = row.ops / row.elapsedMs;
  console.log(`| ${row.name} | ${Math.round(rate * 1000).toLocaleString("en-US")} | ${(rate / base).toFixed(2)}x | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} | ${(row.cpuMs / row.ops).toFixed(2)} |`);
}
