import { join } from "node:path";
import { createGame } from "@store/game";
import { openStore, toKeyValueStore } from "@store/log";
import { expect, it } from "vitest";
import { jsonAnswers, runScript, spawnBot, tempDir } from "./helpers.js";

const USERS = 64;
const ROUNDS = 2;
const user = (index: number): string => `u${index % USERS}`;

/**
 * A scripted session of 64 players: daily claims, coin flips, gifts, duels and accepts, every line
 * with its own interaction id, so running the script again replays the same interactions.
 */
function session(): string {
  const lines: string[] = [];
  for (let u = 0; u < USERS; u += 1) lines.push(`/as ${user(u)}`, `[${user(u)}-daily] /daily`);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (let u = 0; u < USERS; u += 1) {
      lines.push(`/as ${user(u)}`, `[${user(u)}-r${round}-flip] /coinflip ${1 + ((u * 7 + round) % 20)}`, `[${user(u)}-r${round}-give] /give ${user(u + 1 + round)} ${1 + ((u + round) % 5)}`);
    }
    for (let u = 0; u < USERS; u += 2) {
      lines.push(`/as ${user(u)}`, `[${user(u)}-r${round}-duel] /duel ${user(u + 1)} ${3 + round}`, `/as ${user(u + 1)}`, `[${user(u + 1)}-r${round}-accept] /accept ${user(u)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

interface Outcome {
  readonly players: Record<string, { balance: number; games: number; wins: number; score: number }>;
  readonly granted: number;
  readonly spent: number;
  readonly openGames: number;
}

/** The state a data folder ended in, read back with the packages the bot uses, after an audit that must hold. */
async function outcomeOf(dir: string): Promise<Outcome> {
  const store = await openStore(join(dir, "log"));
  const game = await createGame(toKeyValueStore(store), { sweepIntervalMs: 0 });
  try {
    const audit = await game.audit();
    expect(audit.invalidRecords).toEqual([]);
    expect(audit.negativeBalances).toEqual([]);
    expect(audit.difference).toBe(0);
    expect(audit.ok).toBe(true);
    const players: Outcome["players"] = {};
    for (let u = 0; u < USERS; u += 1) {
      const id = user(u);
      const stats = (await game.players.get(id))?.stats;
      players[id] = { balance: await game.tokens.balance(id), games: stats?.games ?? 0, wins: stats?.wins ?? 0, score: stats?.score ?? 0 };
    }
    return { players, granted: audit.granted, spent: audit.spent, openGames: (await game.games.list()).length };
  } finally {
    await game.close();
    await store.close();
  }
}

it("kill -9 in the middle of a 64-player session, twice: after replaying the same interactions the state equals an uninterrupted run's", async () => {
  const script = session();
  const commandLines = script.split("\n").filter((line) => line.startsWith("[")).length;
  const env = (dir: string): Record<string, string> => ({
    BOT_DATA_DIR: dir,
    BOT_CONSOLE_OUTPUT: "json",
    BOT_RANDOM_SEED: "crash-test",
    BOT_GAME_EXPIRY_MS: String(7 * 86_400_000), // nothing expires during the test, however slow the machine
    BOT_MIRROR_INTERVAL_MS: "50",
  });

  const cleanDir = await tempDir();
  const clean = await runScript(env(cleanDir), script);
  expect(clean.code).toBe(0);
  expect(jsonAnswers(clean.stdout)).toHaveLength(commandLines);
  const expected = await outcomeOf(cleanDir);
  expect(expected.openGames).toBe(0);
  expect(Object.values(expected.players).filter((player) => player.games > 0).length).toBeGreaterThan(USERS / 2);

  const crashDir = await tempDir();
  for (const killAfter of [Math.floor(commandLines / 3), Math.floor((2 * commandLines) / 3)]) {
    const bot = spawnBot(env(crashDir));
    bot.child.stdin.write(script); // left open: the bot never ends on its own, the kill always lands
    // Killed once it has answered this many lines: wherever that is, something may be in flight.
    await bot.waitForLine((line) => line.startsWith("{") && (JSON.parse(line) as { n: number }).n >= lineNumberOf(script, killAfter));
    bot.child.kill("SIGKILL");
    expect(await bot.exited).toBe("SIGKILL");
  }
  const last = await runScript(env(crashDir), script);
  expect(last.code).toBe(0);
  expect(last.stderr).toMatch(/recovered \d+ records/u);
  expect(await outcomeOf(crashDir)).toEqual(expected);
});

/** The input line number of the k-th command line (1-based) of the script. */
function lineNumberOf(script: string, k: number): number {
  let seen = 0;
  const lines = script.split("\n");
  for (let index = 0; index < lines.length; index += 1) {
    if (lines[index]!.startsWith("[")) seen += 1;
    if (seen === k) return index + 1;
  }
  throw new Error(`The script has fewer than ${k} command lines.`);
}
