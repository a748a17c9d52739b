import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createGame } from "@store/game";
import { openStore, toKeyValueStore } from "@store/log";
import { expect, it } from "vitest";
import { jsonAnswers, spawnBot, tempDir, text } from "./helpers.js";

const USERS = 64;

it("SIGTERM with commands in flight: each one read is answered or refused, exit 0, and every answered claim is on disk", async () => {
  const dir = await tempDir();
  const bot = spawnBot({ BOT_DATA_DIR: dir, BOT_CONSOLE_OUTPUT: "json", BOT_CONSOLE_CONCURRENCY: "8" });
  const lines: string[] = [];
  for (let u = 0; u < USERS; u += 1) lines.push(`/as u${u}`, `[u${u}-daily] /daily`);
  bot.child.stdin.write(`${lines.join("\n")}\n`); // stdin stays open: the signal, not the end of input, stops the bot
  await bot.waitForLine((line) => line.startsWith("{"));
  bot.child.kill("SIGTERM");
  expect(await bot.exited).toBe(0);

  const answers = jsonAnswers(bot.stdout());
  const byUser = new Map(answers.map((answer) => [answer.user, answer]));
  expect(byUser.size).toBe(answers.length); // no line answered twice
  const answered = new Set<string>();
  for (const answer of answers) {
    const reply = answer.reply!;
    if (reply.ephemeral) expect(text(reply)).toContain("shutting down");
    else {
      expect(reply.embed.title).toBe("Daily tokens");
      answered.add(answer.user);
    }
  }
  expect(answered.size).toBeGreaterThan(0);

  const store = await openStore(join(dir, "log"));
  const game = await createGame(toKeyValueStore(store), { sweepIntervalMs: 0 });
  try {
    expect((await game.audit()).ok).toBe(true);
    for (let u = 0; u < USERS; u += 1) {
      // Answered: durable. Refused or never read: nothing happened.
      expect(await game.tokens.balance(`u${u}`)).toBe(answered.has(`u${u}`) ? 100 : 0);
    }
  } finally {
    await game.close();
    await store.close();
  }
});

it("SIGINT stops the console the same way, with the mirror written", async () => {
  const dir = await tempDir();
  const bot = spawnBot({ BOT_DATA_DIR: dir, BOT_CONSOLE_OUTPUT: "json", BOT_MIRROR_INTERVAL_MS: "3600000" });
  bot.child.stdin.write("/as alice\n/daily\n");
  await bot.waitForLine((line) => line.includes('"input":"/daily"'));
  bot.child.kill("SIGINT");
  expect(await bot.exited).toBe(0);
  const tokens = JSON.parse(await readFile(join(dir, "mirror", "tokens.json"), "utf8")) as Record<string, { balance: number }>;
  expect(tokens.alice?.balance).toBe(100);
});
