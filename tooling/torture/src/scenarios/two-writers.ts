import { openStore } from "@store/log";
import { Rng } from "@store/testkit";
import { runChild, type Child } from "../child-process.js";
import { inTempDir } from "../temp-dir.js";
import { check, type CaseOptions, type Scenario } from "../scenario.js";
import { subSeed } from "../sim.js";

/** The longest the winner writes before it is killed, in ms after it opened. */
const KILL_AFTER_MS_MAX = 300;

const firstWord = (line: string): string => line.split(" ")[0] ?? "";

/**
 * Two processes race to open one folder: exactly one wins, the other gets STORE_LOCKED naming the
 * winner's pid and waits. The winner is SIGKILLed mid-write; the waiter takes the lock over, and
 * sees every write the winner acknowledged.
 */
async function race(dir: string, seed: number): Promise<void> {
  const rng = new Rng(subSeed(seed, 1));
  const racers = [runChild("locker", [dir]), runChild("locker", [dir])] as const;
  try {
    const outcomes = await Promise.all(racers.map((racer) => racer.waitFor((line) => ["opened", "locked", "error"].includes(firstWord(line)), "opened or locked")));
    const winners = racers.filter((_, index) => outcomes[index] === "opened");
    const losers = racers.filter((_, index) => firstWord(outcomes[index]!) === "locked");
    check(winners.length === 1 && losers.length === 1, `the race ended ${outcomes.map((line) => line.slice(0, 80)).join(" / ")}, not one winner and one STORE_LOCKED`);
    const [winner, loser] = [winners[0]!, losers[0]!];
    const named = outcomes[racers.indexOf(loser)]!.split(" ")[1];
    check(named === String(winner.pid), `STORE_LOCKED names pid ${String(named)}, but the holder is pid ${winner.pid}`);
    await new Promise<void>((resolve) => setTimeout(resolve, rng.int(KILL_AFTER_MS_MAX)));
    winner.kill();
    await winner.ended;
    await loser.waitFor((line) => line === "took-over", "took-over");
    const status = await loser.ended;
    check(status.code === 0, `the process that took over exited with ${String(status.code)}: ${loser.lines.slice(-2).join(" | ")}`);
    await checkAcknowledged(dir, winner, loser);
  } finally {
    for (const racer of racers) racer.kill();
    await Promise.all(racers.map((racer) => racer.ended));
  }
}

async function checkAcknowledged(dir: string, winner: Child, loser: Child): Promise<void> {
  const store = await openStore(dir);
  try {
    for (const line of winner.lines) {
      if (!line.startsWith("ack ")) continue;
      const key = line.slice(4);
      check(store.get(key) === Number(key.split("/")[2]), `the killed holder acknowledged ${key}, but after the takeover it holds ${JSON.stringify(store.get(key))}`);
    }
    check(store.get("taker") === loser.pid, "the write of the process that took over is missing");
  } finally {
    await store.close();
  }
}

async function runCase(seed: number, _options: CaseOptions): Promise<number> {
  await inTempDir("two-writers", (dir) => race(dir, seed));
  return 1;
}

export const twoWriters: Scenario = {
  name: "two-writers",
  summary: "two processes race to open one folder (exactly one wins, the other gets STORE_LOCKED naming it); the holder is SIGKILLed mid-write and the waiting one takes over and sees every acknowledged write",
  runCase,
};
