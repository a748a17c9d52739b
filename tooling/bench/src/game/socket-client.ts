// A client process of the game suite's socket row: connects to the server at argv[2], makes
// @store/game on that connection (createGame with its defaults, as a bot's shard does), says "ready",
// and on "go" plays the loops its plan (argv[3], JSON) names, then prints its result.
import { writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { createGame } from "@store/game";
import { connectStore } from "@store/remote";
import { KvGame } from "./kv-game.js";
import { play, type PlayOptions, type PlayOutcome } from "./play.js";
import type { ClientResult } from "./socket-load.js";

export interface SocketClientResult extends ClientResult, Pick<PlayOutcome, "transfers" | "coinFlips"> {
  /** Batches of this process refused with STORE_CONFLICT. */
  readonly conflicts: number;
}

const [socketPath, plan] = process.argv.slice(2);
if (socketPath === undefined || plan === undefined) throw new TypeError("usage: socket-client.ts <socket path> <play options, JSON>");
const options = JSON.parse(plan) as PlayOptions;
const system = new KvGame(
  {
    open: async () => {
      const kv = await connectStore({ socketPath, name: `bench-${String(options.firstLoop ?? 0)}` });
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
writeSync(1, "ready\n");

createInterface({ input: process.stdin }).once("line", () => {
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
    };
    writeSync(1, `result ${JSON.stringify(result)}\n`);
    await system.close();
    process.exit(0);
  });
});
