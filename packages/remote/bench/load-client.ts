// One shard process of the benchmark: connects to the server at argv[2], makes the game layer, runs
// its players for argv[6] ms to warm up (JIT, caches: a shard runs for days), says "ready", and on
// "go <ms>" runs its players for that long, then prints its count and latencies.
import { createInterface } from "node:readline";
import { createGame } from "@store/game";
import { connectStore } from "../src/index.js";
import { runPlayers } from "../test/fixtures/workload.js";
// By path, not as a package: @store/bench depends on @store/remote (see that file).
import { writeLineSync } from "../../../tooling/bench/src/game/socket-load.js";

const [socketPath, processArg, processesArg, playersArg, warmupArg] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const client = await connectStore({ socketPath, name: `bench-${processArg}` });
const game = await createGame(client, { sweepIntervalMs: 0, gameTtlMs: 600_000, onError: () => undefined });
const warmupUntil = performance.now() + Number(warmupArg ?? 0);
await runPlayers(game, {
  process: Number(processArg),
  processes: Number(processesArg),
  players: Number(playersArg),
  seed: 2,
  keyPrefix: "warmup-",
  stopped: () => performance.now() >= warmupUntil,
  reconnected: () => client.whenConnected(),
  onAck: () => undefined,
  onRefused: () => undefined,
  onRetry: () => undefined,
});
writeLineSync("ready");

createInterface({ input: process.stdin }).once("line", (line) => {
  const durationMs = Number(line.split(" ")[1]);
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  void runPlayers(game, {
    process: Number(processArg),
    processes: Number(processesArg),
    players: Number(playersArg),
    seed: 1,
    stopped: () => performance.now() >= deadline,
    reconnected: () => client.whenConnected(),
    onAck: (_op, _result, latencyMs) => latencies.push(Math.round(latencyMs * 100) / 100),
    onRefused: (_op, _code, latencyMs) => latencies.push(Math.round(latencyMs * 100) / 100),
    onRetry: () => undefined,
  }).then(async () => {
    const elapsedMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    writeLineSync(`result ${JSON.stringify({ elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, latencies })}`);
    await game.close();
    await client.close();
    process.exit(0);
  });
});
