import { createGame } from "@store/game";
import { checkAfterCrash, type Acknowledged } from "@store/game/testing";
import { openStore, toKeyValueStore } from "@store/log";
import { Rng } from "@store/testkit";
import { runChild, type Child } from "../child-process.js";
import { inTempDir } from "../temp-dir.js";
import { check, type CaseOptions, type Scenario } from "../scenario.js";
import { subSeed } from "../sim.js";

const ROUNDS = 3;
/** The child is killed after this many acknowledged operations at least, and fewer than this plus KILL_AFTER_ACKS_SPREAD. */
const KILL_AFTER_ACKS_MIN = 20;
const KILL_AFTER_ACKS_SPREAD = 600;
const HOUR_MS = 3_600_000;
/** Where the game clock of round 0 starts; each round starts an hour later. */
const CLOCK_START_MS = Date.UTC(2026, 10, 1);

/** The child's `ack` lines; only the very last line can be cut short by the kill (its operation then counts as not acknowledged). */
function acknowledgedBy(child: Child): Acknowledged[] {
  const acknowledged: Acknowledged[] = [];
  for (const [index, line] of child.lines.entries()) {
    if (!line.startsWith("ack ")) continue;
    try {
      acknowledged.push(JSON.parse(line.slice(4)) as Acknowledged);
    } catch {
      check(index === child.lines.length - 1, `the child's line ${index + 1} is not a report: ${line.slice(0, 100)}`);
    }
  }
  return acknowledged;
}

/**
 * One round: the players run in a child process that is SIGKILLed after a seeded number of
 * acknowledgements; the parent opens the folder half an hour later on the game clock (past every
 * expiry the child set) and checks it with every operation acknowledged so far, in any round.
 */
async function killRound(dir: string, seed: number, round: number, everAcknowledged: Acknowledged[]): Promise<void> {
  const rng = new Rng(subSeed(seed, round));
  const clockStartMs = CLOCK_START_MS + round * HOUR_MS;
  const killAfter = KILL_AFTER_ACKS_MIN + rng.int(KILL_AFTER_ACKS_SPREAD);
  const child = runChild("game-players", [dir, String(clockStartMs), String(round), String(subSeed(seed, round, 1)), rng.bool(0.5) ? "1" : "0"]);
  try {
    await child.waitFor((line) => line === "open", "open");
    let acks = 0;
    await child.waitFor((line) => line.startsWith("ack ") && ++acks >= killAfter, `${killAfter} acknowledged operations`);
  } finally {
    child.kill();
  }
  const status = await child.ended;
  check(status.signal === "SIGKILL", `the players' process ended on its own (exit code ${String(status.code)}) before it was killed: ${child.lines.slice(-3).join(" | ")}`);
  const acknowledged = acknowledgedBy(child);
  check(acknowledged.length >= killAfter, `the child acknowledged ${killAfter} operations, but ${acknowledged.length} ack lines were read`);
  everAcknowledged.push(...acknowledged);
  const kv = toKeyValueStore(await openStore(dir));
  try {
    const game = await createGame(kv, { now: () => clockStartMs + HOUR_MS / 2, sweepIntervalMs: 0 });
    try {
      await checkAfterCrash(game, kv, everAcknowledged);
    } finally {
      await game.close();
    }
  } finally {
    await kv.close();
  }
}

/** A fresh folder, ROUNDS player processes each SIGKILLed at a random moment, each followed by the checks. */
async function runCase(seed: number, _options: CaseOptions): Promise<number> {
  return inTempDir("game", async (dir) => {
    const everAcknowledged: Acknowledged[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      await killRound(dir, seed, round, everAcknowledged).catch((error: unknown) => {
        throw new Error(`round ${round}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      });
    }
    return ROUNDS;
  });
}

export const game: Scenario = {
  name: "game",
  summary:
    "a child process runs @store/game's 64-player workload (transfers, coin flips, duels, house games, daily claims, games left to expire) on @store/log and is SIGKILLed at a random moment; after each reopen audit() holds, no game is left past its expiry, and every acknowledged operation run again with its key gives its first result and writes nothing",
  runCase,
};
