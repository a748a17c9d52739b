import { assertConserved } from "../game/dataset.js";
import { play, type PlayOptions, type PlayOutcome } from "../game/play.js";
import { seedPlayers, tokensOf } from "../game/seeds.js";
import { storeLogAlways } from "../adapters/store-log.js";
import { gameLabels, hasGameSystem, postgresGame, remoteGame, withGameSystem } from "../game/systems.js";
import { measureSets } from "../measure.js";
import type { Metrics, Workload } from "../workload.js";

/** Enough that no transfer or stake of a run is ever refused for want of tokens. */
const startingBalance = 1_000_000;

/**
 * 64 players, each an async loop, doing transfers and coin flips (create, then settle) against a
 * fresh store until the operation count is reached; in this process, or for the socket row in 4
 * client processes of 16 players each. Every system first plays a warm-up, unmeasured (other keys,
 * other rounds), in the processes that then measure: the bench's own for the in-process rows, which
 * would otherwise be warm from the second run on and the socket row's 5 new processes never.
 * Afterwards every token must be accounted for.
 */
export const gameOps: Workload = {
  name: "game-ops",
  suite: "game",
  title:
    "Game: 64 concurrent players doing transfers and coin flips (create + settle), 10,000 operations measured after 2,000 unmeasured in the same processes (through the socket: 4 processes x 16 players)",
  labels: gameLabels,
  columns: [
    { key: "opsPerSec", label: "ops/s", digits: 0 },
    { key: "p50Ms", label: "p50 ms", digits: 3 },
    { key: "p99Ms", label: "p99 ms", digits: 3 },
    { key: "bytesPerOp", label: "disk B/op", digits: 0 },
    { key: "fileBytesPerOp", label: "file B/op", digits: 0 },
    { key: "flushesPerOp", label: "flushes/op", digits: 3 },
    { key: "conflictsPerOp", label: "retries/op", digits: 2 },
  ],
  headline: { key: "opsPerSec", better: "higher" },
  comparisons: [{ key: "p99Ms", better: "lower" }],
  pairs: [
    { system: remoteGame.name, against: storeLogAlways.name, key: "opsPerSec", better: "higher" },
    { system: remoteGame.name, against: storeLogAlways.name, key: "p99Ms", better: "lower" },
    { system: postgresGame.name, against: storeLogAlways.name, key: "opsPerSec", better: "higher" },
    { system: postgresGame.name, against: storeLogAlways.name, key: "p99Ms", better: "lower" },
  ],
  limit: null,
  appliesTo: hasGameSystem,
  run: (spec, { dir, sizes }) =>
    withGameSystem(spec.name, dir, async (system) => {
      const players = seedPlayers(sizes.gamePlayers, { seed: 1, withHistory: false, balance: startingBalance });
      await system.load(players);
      const options: PlayOptions = {
        loops: sizes.gamePlayers,
        ops: sizes.gameOps,
        players: players.map((player) => player.id),
        actors: "own",
        seed: 1,
        prefix: "op",
      };
      // Other rounds and other keys: the measured operations write what they would have without it.
      const warmup: PlayOptions = { ...options, ops: sizes.gameWarmupOps, seed: 2, prefix: "warmup" };
      let warmedUpOps: number | null = null;
      // The socket row warms up in its client processes, the others here.
      if (system.warmUp === undefined) warmedUpOps = (await play(system, warmup)).latenciesMs.length;
      else await system.warmUp(warmup);
      let counts: Pick<PlayOutcome, "transfers" | "coinFlips" | "warmedUpOps"> = { transfers: 0, coinFlips: 0 };
      const conflictsBefore = system.conflicts?.() ?? null;
      const measured = await measureSets(system, dir, async () => {
        const outcome = system.play === undefined ? await play(system, options) : await system.play(options);
        counts = outcome;
        return outcome;
      });
      const conflicts = conflictsBefore === null ? null : system.conflicts!() - conflictsBefore;
      await assertConserved(spec.name, system, tokensOf(players), players.length);
      return { ...perOperation(measured, counts, conflicts), warmupOps: warmedUpOps ?? counts.warmedUpOps ?? null };
    }),
};

/** measureSets counts sets; here each one is a game operation. */
function perOperation(measured: Metrics, counts: { readonly transfers: number; readonly coinFlips: number }, conflicts: number | null): Metrics {
  const ops = measured["sets"] ?? null;
  return {
    conflictsPerOp: conflicts === null || !ops ? null : conflicts / ops,
    ops,
    transfers: counts.transfers,
    coinFlips: counts.coinFlips,
    opsPerSec: measured["setsPerSec"] ?? null,
    p50Ms: measured["p50Ms"] ?? null,
    p99Ms: measured["p99Ms"] ?? null,
    maxMs: measured["maxMs"] ?? null,
    bytesPerOp: measured["bytesPerSet"] ?? null,
    fileBytesPerOp: measured["fileBytesPerSet"] ?? null,
    flushesPerOp: measured["flushesPerSet"] ?? null,
    deviceFlushesPerOp: measured["deviceFlushesPerSet"] ?? null,
  };
}
