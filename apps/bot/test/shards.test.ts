import { existsSync } from "node:fs";
import { join } from "node:path";
import { createGame } from "@store/game";
import { openStore, toKeyValueStore } from "@store/log";
import { describe, expect, it } from "vitest";
import { shardFor } from "../src/shards/route.js";
import { jsonAnswers, runScript, spawnBot, tempDir, text } from "./helpers.js";

const USERS = 16;
const user = (index: number): string => `u${index % USERS}`;

/** Daily claims, coin flips, gifts across users (so across shards), duels challenged on one shard and accepted on another. */
function session(): string {
  const lines: string[] = [];
  for (let u = 0; u < USERS; u += 1) lines.push(`/as ${user(u)}`, `[${user(u)}-daily] /daily`);
  for (let round = 0; round < 2; round += 1) {
    for (let u = 0; u < USERS; u += 1) {
      lines.push(`/as ${user(u)}`, `[${user(u)}-r${round}-flip] /coinflip ${1 + ((u * 7 + round) % 20)}`, `[${user(u)}-r${round}-give] /give ${user(u + 1 + round)} ${1 + ((u + round) % 5)}`);
    }
    for (let u = 0; u < USERS; u += 2) {
      lines.push(`/as ${user(u)}`, `[${user(u)}-r${round}-duel] /duel ${user(u + 1)} ${3 + round}`, `/as ${user(u + 1)}`, `[${user(u + 1)}-r${round}-accept] /accept ${user(u)}`);
    }
  }
  lines.push("/as u0", "/balance", "/nope");
  return `${lines.join("\n")}\n`;
}

/** Every player's balance and stats, and the audit (which must hold), read back from the folder. */
async function outcomeOf(dir: string): Promise<unknown> {
  const store = await openStore(join(dir, "log"));
  const game = await createGame(toKeyValueStore(store), { sweepIntervalMs: 0 });
  try {
    const audit = await game.audit();
    expect(audit.ok).toBe(true);
    expect(audit.difference).toBe(0);
    const players: Record<string, unknown> = {};
    for (let u = 0; u < USERS; u += 1) players[user(u)] = { balance: await game.tokens.balance(user(u)), stats: (await game.players.get(user(u)))?.stats };
    return { players, granted: audit.granted, spent: audit.spent, openGames: (await game.games.list()).length };
  } finally {
    await game.close();
    await store.close();
  }
}

const env = (dir: string): Record<string, string> => ({ BOT_DATA_DIR: dir, BOT_CONSOLE_OUTPUT: "json", BOT_RANDOM_SEED: "shards-test", BOT_GAME_EXPIRY_MS: String(7 * 86_400_000) });

describe("--shards N: a manager serving the data folder, N shard processes", () => {
  it("the users of the script land on every shard", () => {
    expect(new Set(Array.from({ length: USERS }, (_, u) => shardFor(user(u), 3))).size).toBe(3);
  });

  it("a script through --shards 3 ends in the same balances, stats and audit as without shards, answered in input order; a second run sees the first's state", async () => {
    const script = session();
    const [single, sharded] = [await tempDir(), await tempDir()];
    const one = await runScript(env(single), script);
    expect(one.code).toBe(0);
    const three = await runScript(env(sharded), script, ["--shards", "3"]);
    expect(three.stderr).toContain(`bot console mode with 3 shards: data ${sharded}, served on ${join(sharded, "store.sock")}`);
    expect(three.code).toBe(0);
    expect(existsSync(join(sharded, "store.sock"))).toBe(false); // the server closed
    const shape = (stdout: string): unknown[] => jsonAnswers(stdout).map((answer) => [answer.n, answer.user, answer.input, answer.reply?.embed.title, answer.error]);
    expect(shape(three.stdout)).toEqual(shape(one.stdout));
    expect(jsonAnswers(three.stdout).filter((answer) => /Duel/u.test(answer.reply?.embed.title ?? "") && /wins/u.test(text(answer.reply!))).length).toBe(USERS);
    expect(await outcomeOf(sharded)).toEqual(await outcomeOf(single));

    const again = await runScript(env(sharded), "/as u0\n[u0-daily] /daily\n/balance\n", ["--shards", "2"]);
    expect(again.code).toBe(0);
    const [daily, balance] = jsonAnswers(again.stdout);
    const before = jsonAnswers(three.stdout).at(-2)!;
    expect(daily!.reply).toEqual(jsonAnswers(three.stdout)[0]!.reply); // the same interaction: its first result, nothing written
    expect(text(balance!.reply!).split("\n")[1]).toBe(text(before.reply!).split("\n")[1]);
    expect(await outcomeOf(sharded)).toEqual(await outcomeOf(single));
  });

  it("SIGTERM: stops reading, answers what is in flight, stops the shards, closes the server and the storage; exit 0", async () => {
    const dir = await tempDir();
    const bot = spawnBot(env(dir), ["--shards", "2"]);
    bot.child.stdin.write("/as alice\n/daily\n/as bob\n/daily\n");
    await bot.waitForLine((line) => line.includes('"user":"bob"'));
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    expect(existsSync(join(dir, "store.sock"))).toBe(false);
    const next = await runScript(env(dir), "/as bob\n/balance\n");
    expect(text(jsonAnswers(next.stdout)[0]!.reply!)).toContain("100 tokens");
  });

  it("a bad --shards is a configuration error (exit 2)", async () => {
    const dir = await tempDir();
    const result = await runScript(env(dir), "", ["--shards", "many"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("shards (BOT_SHARDS)");
  });
});
