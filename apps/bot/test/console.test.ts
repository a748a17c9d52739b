import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonAnswers, runScript, spawnBot, tempDir, text } from "./helpers.js";

const SEED = "console-test";

async function readJson(path: string): Promise<Record<string, Record<string, unknown>>> {
  return JSON.parse(await readFile(path, "utf8")) as Record<string, Record<string, unknown>>;
}

describe("console mode, a child process fed a script on stdin", () => {
  it("answers every line in order, writes the data folder, and exits 0 at the end of the input", async () => {
    const dir = await tempDir();
    const script = ["/as alice", "/daily", "/balance", "/coinflip 10", "/duel bob 5", "/as bob", "/daily", "/accept", "/leaderboard", "/give alice", "/nope"].join("\n");
    const { code, stdout, stderr } = await runScript({ BOT_DATA_DIR: dir, BOT_RANDOM_SEED: SEED }, `${script}\n`);
    expect(code).toBe(0);
    expect(stderr).toContain(`bot console mode: data ${dir}; recovered 0 records`);
    const echoes = stdout.split("\n").filter((line) => /^\w+> \//u.test(line));
    expect(echoes).toEqual(["alice> /daily", "alice> /balance", "alice> /coinflip 10", "alice> /duel bob 5", "bob> /daily", "bob> /accept", "bob> /leaderboard", "bob> /give alice", "bob> /nope"]);
    expect(stdout).toContain("┌ Daily tokens\n│ +100 tokens for alice. Balance: 100 tokens.");
    expect(stdout).toMatch(/Coin flip: you (win|lose)/u);
    expect(stdout).toContain("[Accept] [Decline]");
    expect(stdout).toMatch(/Duel: alice vs bob\n└ bob accepted\. (alice|bob) wins 10 tokens!/u);
    expect(stdout).toContain("! Missing amount. Usage: /give <user> <amount>");
    expect(stdout).toContain("! There is no /nope command");
    expect(stdout).not.toMatch(/\n\s+at /u); // no stack trace anywhere

    // The log is the truth; the mirror holds the old files' names and shapes, keyed by id. The bot
    // closed its mirror (writing its last state) before exiting 0, so the files are final here.
    expect((await readdir(join(dir, "log"))).some((name) => name.endsWith(".log"))).toBe(true);
    const players = await readJson(join(dir, "mirror", "players.json"));
    const tokens = await readJson(join(dir, "mirror", "tokens.json"));
    expect(Object.keys(players).sort()).toEqual(["alice", "bob"]);
    const counters = { games: expect.any(Number) as unknown, wins: expect.any(Number) as unknown, losses: expect.any(Number) as unknown, draws: expect.any(Number) as unknown, score: expect.any(Number) as unknown };
    expect(players.alice).toEqual({ id: "alice", name: "alice", createdAt: expect.any(Number) as unknown, ...counters, streak: expect.any(Number) as unknown, bestStreak: expect.any(Number) as unknown, byType: expect.any(Object) as unknown });
    expect((players.alice!.wins as number) + (players.bob!.wins as number)).toBeGreaterThanOrEqual(1); // the duel's winner, counted on the old record
    expect(Object.keys(tokens.alice!).sort()).toEqual(["balance", "lastDaily"]);
    expect(tokens.bob).toEqual({ balance: expect.any(Number) as unknown, lastDaily: expect.any(Number) as unknown });
    expect((tokens.alice!.balance as number) + (tokens.bob!.balance as number)).toBeGreaterThan(0);
    expect(await readJson(join(dir, "mirror", "gameStates.json"))).toEqual({});
    expect(existsSync(join(dir, "mirror", "manifest.json"))).toBe(true);

    // Old files the old bot's importer accepts: a new data folder seeded from the mirror has the same balances.
    const seeded = await tempDir();
    const next = await runScript({ BOT_DATA_DIR: seeded, BOT_LEGACY_DIR: join(dir, "mirror"), BOT_CONSOLE_OUTPUT: "json" }, "/as bob\n/balance\n");
    expect(next.code).toBe(0);
    expect(next.stderr).toContain("imported the old JSON files (2 players, 2 accounts, 0 games)");
    expect(text(jsonAnswers(next.stdout)[0]!.reply!)).toContain(`${String(tokens.bob!.balance)} tokens`);
  });

  it("a second run sees the first run's state", async () => {
    const dir = await tempDir();
    const env = { BOT_DATA_DIR: dir, BOT_CONSOLE_OUTPUT: "json" };
    const first = await runScript(env, "/as alice\n/daily\n/give bob 30\n");
    expect(first.code).toBe(0);
    const second = await runScript(env, "/as alice\n/balance\n/daily\n/as bob\n/balance\n");
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/recovered \d+ records from 1 segments/u);
    const [aliceBalance, again, bobBalance] = jsonAnswers(second.stdout);
    expect(text(aliceBalance!.reply!)).toContain("70 tokens");
    expect(again!.reply!.ephemeral).toBe(true);
    expect(text(again!.reply!)).toContain("already claimed");
    expect(text(bobBalance!.reply!)).toContain("30 tokens");
  });

  it("JSON output: one line per answer with the line number, user, interaction id and reply", async () => {
    const dir = await tempDir();
    const { stdout } = await runScript({ BOT_DATA_DIR: dir, BOT_CONSOLE_OUTPUT: "json" }, "# a comment\n[my-id] /daily\n/as bob\n/give\n");
    const answers = jsonAnswers(stdout);
    expect(answers.map((answer) => [answer.n, answer.user, answer.input])).toEqual([
      [2, "you", "[my-id] /daily"],
      [4, "bob", "/give"],
    ]);
    expect(answers[0]?.id).toBe("my-id");
    expect(answers[0]?.reply?.embed.title).toBe("Daily tokens");
    expect(answers[1]?.error).toContain("Missing user");
  });
});

describe("first start on the old bot's files", () => {
  const oldPlayers = { "111": { username: "Ada", wins: 3, losses: 1 }, "222": { username: "Bo" } };
  const oldTokens = { "111": { balance: 250, lastDaily: "2026-01-01T00:00:00.000Z" }, "222": 40 };

  it("imports players.json and tokens.json once, then the log is the truth", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "players.json"), JSON.stringify(oldPlayers));
    await writeFile(join(dir, "tokens.json"), JSON.stringify(oldTokens));
    const env = { BOT_DATA_DIR: dir, BOT_CONSOLE_OUTPUT: "json" };
    const first = await runScript(env, "/as 111\n/give 222 50\n/profile\n");
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("imported the old JSON files (2 players, 2 accounts, 0 games)");
    const [give, profile] = jsonAnswers(first.stdout);
    expect(text(give!.reply!)).toContain("111: 200 tokens");
    expect(text(profile!.reply!)).toContain("Ada");
    expect(text(profile!.reply!)).toContain("4 (3W 1L 0D)");
    const second = await runScript(env, "/as 222\n/balance\n");
    expect(second.stderr).not.toContain("imported");
    expect(text(jsonAnswers(second.stdout)[0]!.reply!)).toContain("90 tokens");
  });

  it("a damaged old file stops the start, says where it is broken, and imports nothing", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "players.json"), JSON.stringify(oldPlayers));
    await writeFile(join(dir, "tokens.json"), JSON.stringify(oldTokens).slice(0, 30));
    const { code, stdout, stderr } = await runScript({ BOT_DATA_DIR: dir }, "/balance\n");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("An old JSON file could not be read, so nothing was imported");
    expect(stderr).toMatch(/tokens\.json is not valid JSON: .*truncated.* at byte 30 \(line 1, column 31\)/u);
    const again = await runScript({ BOT_DATA_DIR: dir, BOT_LEGACY_DIR: join(dir, "elsewhere") }, "/as 111\n/balance\n");
    expect(again.stdout).toContain("0 tokens");
  });

  it("a record the importer cannot map stops the start with the list of problems", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "tokens.json"), JSON.stringify({ "111": -5, "222": { coins: "many" } }));
    const { code, stderr } = await runScript({ BOT_DATA_DIR: dir }, "/balance\n");
    expect(code).toBe(1);
    expect(stderr).toContain("could not be imported (nothing was written)");
    expect(stderr).toContain('tokens.json ["111"]: negative balance -5');
    expect(stderr).toContain('tokens.json ["222"]: coins must be a whole number');
  });
});

describe("start-up refusals", () => {
  it("bad configuration exits 2 naming the variable", async () => {
    const dir = await tempDir();
    const { code, stderr } = await runScript({ BOT_DATA_DIR: dir, BOT_METRICS_PORT: "seventy", BOT_DAILY_AMOUNT: "-1" }, "");
    expect(code).toBe(2);
    expect(stderr).toContain("metricsPort (BOT_METRICS_PORT)");
    expect(stderr).toContain("dailyAmount (BOT_DAILY_AMOUNT)");
  });

  it("a second bot on the same data folder is refused with STORE_LOCKED's explanation", async () => {
    const dir = await tempDir();
    const holder = spawnBot({ BOT_DATA_DIR: dir, BOT_CONSOLE_OUTPUT: "json" });
    holder.child.stdin.write("/balance\n");
    await holder.waitForLine((line) => line.includes('"input":"/balance"'));
    const second = await runScript({ BOT_DATA_DIR: dir }, "/balance\n");
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("Another process holds the data folder");
    holder.child.stdin.end();
    expect(await holder.exited).toBe(0);
  });
});
