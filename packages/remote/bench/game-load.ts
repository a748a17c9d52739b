// `pnpm --filter @store/remote bench [--seconds 10] [--players 16] [--processes 4]`: the game
// workload of the kill -9 test (transfers, coin flips, duels, house games through @store/game, each
// operation one conditional batch or more) on a @store/log folder (sync: "always"), measured three
// ways with the same players: all in one process on the store itself; from `processes` shard
// processes through a store server's Unix socket; and all from one client process through the
// socket (the socket's cost without the extra processes). Operations per second and latency
// percentiles (ms, from the call to its answer, conflict retries included).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createGame } from "@store/game";
import { openStore, toKeyValueStore } from "@store/log";
import { runPlayers } from "../test/fixtures/workload.js";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "10" }, players: { type: "string", default: "16" }, processes: { type: "string", default: "4" } } });
const durationMs = Number(values.seconds) * 1000;
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

// A run that fails half-way must not leave a server or clients running.
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** The lines of a child's stdout, read once, for `line` to wait on. */
const outputs = new WeakMap<ChildProcess, { lines: string[]; waiters: Array<() => void>; ended: boolean }>();

function watch(child: ChildProcess): ChildProcess {
  const output = { lines: [] as string[], waiters: [] as Array<() => void>, ended: false };
  outputs.set(child, output);
  children.add(child);
  child.on("exit", () => children.delete(child));
  const wake = (): void => {
    for (const resolve of output.waiters.splice(0)) resolve();
  };
  const reader = createInterface({ input: child.stdout! });
  reader.on("line", (text) => {
    output.lines.push(text);
    wake();
  });
  reader.on("close", () => {
    output.ended = true;
    wake();
  });
  return child;
}

/** The first line of the child's output starting with `prefix`. */
async function line(child: ChildProcess, prefix: string): Promise<string> {
  const output = outputs.get(child)!;
  for (;;) {
    const found = output.lines.find((text) => text.startsWith(prefix));
    if (found !== undefined) return found;
    if (output.ended) throw new Error(`the child ended before a line starting with ${prefix}`);
    await new Promise<void>((resolve) => output.waiters.push(resolve));
  }
}

function run(script: string, args: string[]): ChildProcess {
  const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`];
  return watch(spawn(process.execPath, [...profile, "--import", "tsx", fileURLToPath(new URL(script, import.meta.url)), ...args], { stdio: ["pipe", "pipe", "inherit"] }));
}

async function inProcess(): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), "remote-bench-"));
  const store = await openStore(dir);
  const game = await createGame(toKeyValueStore(store), { sweepIntervalMs: 0, gameTtlMs: 600_000, onError: () => undefined });
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  await Promise.all(
    Array.from({ length: processes }, (_, index) =>
      runPlayers(game, {
        process: index,
        processes,
        players,
        seed: 1,
        stopped: () => performance.now() >= deadline,
        reconnected: async () => undefined,
        onAck: (_op, _result, latencyMs) => latencies.push(latencyMs),
        onRefused: (_op, _code, latencyMs) => latencies.push(latencyMs),
        onRetry: () => undefined,
      }),
    ),
  );
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
  await line(server, "listening");
  const perClient = (processes * players) / clientProcesses;
  const clients = Array.from({ length: clientProcesses }, (_, index) => run("./load-client.ts", [socketPath, String(index), String(clientProcesses), String(perClient)]));
  await Promise.all(clients.map((client) => line(client, "ready")));
  const serverCpuBefore = line(server, "cpu ");
  server.stdin!.write("cpu\n");
  const serverCpuStart = Number((await serverCpuBefore).split(" ")[1]);
  const results = clients.map((client) => line(client, "result "));
  for (const client of clients) client.stdin!.write(`go ${durationMs}\n`);
  const measured = (await Promise.all(results)).map((text) => JSON.parse(text.slice("result ".length)) as { elapsedMs: number; cpuMs: number; latencies: number[] });
  const stopped = line(server, "stopped");
  server.stdin!.write("stop\n");
  const serverCpuMs = Number((await stopped).split(" ")[2]) - serverCpuStart;
  await rm(dir, { recursive: true, force: true });
  const latencies = measured.flatMap((result) => result.latencies);
  return {
    name: `through the socket, ${clientProcesses} process${clientProcesses === 1 ? "" : "es"} x ${perClient} players`,
    ops: latencies.length,
    elapsedMs: Math.max(...measured.map((result) => result.elapsedMs)),
    latencies,
    cpuMs: serverCpuMs + measured.reduce((sum, result) => sum + result.cpuMs, 0),
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
