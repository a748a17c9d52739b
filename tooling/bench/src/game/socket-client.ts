// A client process of the game suite's socket row: connects to the server at argv[2], makes
// @store/game on that connection (createGame with its defaults, as a bot's shard does), plays the
// warm-up plan argv[3] (JSON play options, if given) unmeasured and prints "warmed <operations>",
// says "ready", and on "go <play options, JSON>" plays that plan measured, then prints its result.
// The warm-up runs in this process, the one that then measures: a bot's shard runs for days, so
// its hot code is compiled by the time anyone times it (see the bench's README, "game-ops").
import { createInterface } from "node:readline";
import { createGame } from "@store/game";
import { connectStore } from "@store/remote";
import { KvGame } from "./kv-game.js";
import { play, type PlayOptions, type PlayOutcome } from "./play.js";
import { writeLineSync, type ClientResult } from "./socket-load.js";

export interface SocketClientResult extends ClientResult, Pick<PlayOutcome, "transfers" | "coinFlips"> {
  /** Batches of this process refused with STORE_CONFLICT during the measured plan (not the warm-up). */
  readonly conflicts: number;
  /** Operations this process played in its warm-up, before the measured plan. */
  readonly warmedUpOps: number;
}

const [socketPath, warmupPlan] = process.argv.slice(2);
if (socketPath === undefined) throw new TypeError("usage: socket-client.ts <socket path> [<warm-up play options, JSON>]");
const warmup = warmupPlan === undefined ? undefined : (JSON.parse(warmupPlan) as PlayOptions);
const system = new KvGame(
  {
    open: async () => {
      const kv = await connectStore({ socketPath, name: `bench-${String(process.pid)}` });
      return { kv, close: () => kv.close() };
    },
    compacts: false,
  },
  createGame,
  // Players of different processes race for the same accounts (update() queues only within a
  // process), and a busy machine lengthens each race: 16 attempts, the default, ran out on an
  // account at a load average of 30. What a bot with shards would raise too.
  { attemptsMax: 64 },
);
await system.open(socketPath);
const warmedUpOps = warmup === undefined ? 0 : (await play(system, warmup)).latenciesMs.length;
if (warmup !== undefined) writeLineSync(`warmed ${warmedUpOps}`);
writeLineSync("ready");

createInterface({ input: process.stdin }).once("line", (line) => {
  const options = JSON.parse(line.slice("go ".length)) as PlayOptions;
  const cpuBefore = process.cpuUsage();
  const conflictsBefore = system.conflicts();
  void play(system, options).then(async (outcome) => {
    const cpu = process.cpuUsage(cpuBefore);
    const result: SocketClientResult = {
      elapsedMs: outcome.elapsedMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      latencies: outcome.latenciesMs,
      transfers: outcome.transfers,
      coinFlips: outcome.coinFlips,
      conflicts: system.conflicts() - conflictsBefore,
      warmedUpOps,
    };
    writeLineSync(`result ${JSON.stringify(result)}`);
    await system.close();
    process.exit(0);
  });
});
