import { describe, expect, it } from "vitest";
import { duelButtonId } from "../src/commands/duel.js";
import type { Random } from "../src/random.js";
import { startTestApp, tempDir, text, type TestApp } from "./helpers.js";

/** A coin the test sets: `coin.next = true` makes the next draw come up true. */
function riggedCoin(): Random & { next: boolean; draws: number } {
  const coin = {
    next: true,
    draws: 0,
    coin: () => {
      coin.draws += 1;
      return coin.next;
    },
  };
  return coin;
}

async function withDaily(bot: TestApp, ...users: string[]): Promise<void> {
  for (const user of users) expect((await bot.run(user, "/daily")).ephemeral).toBe(false);
}

async function expectAuditOk(bot: TestApp): Promise<void> {
  const report = await bot.app.storage.game.audit();
  expect(report.difference).toBe(0);
  expect(report.ok).toBe(true);
}

describe("/balance", () => {
  it("shows 0 for a new player, then the daily tokens and the latest movement", async () => {
    const bot = await startTestApp(await tempDir());
    expect(text(await bot.run("alice", "/balance"))).toContain("0 tokens");
    await withDaily(bot, "alice");
    const after = text(await bot.run("alice", "/balance"));
    expect(after).toContain("100 tokens");
    expect(after).toContain("+100 (daily)");
    expect(after).toContain("next claim in 1d");
  });
});

describe("/daily", () => {
  it("grants the daily amount once per cooldown and says how long to wait", async () => {
    const bot = await startTestApp(await tempDir(), { BOT_DAILY_AMOUNT: "50" });
    const first = await bot.run("alice", "/daily");
    expect(first.ephemeral).toBe(false);
    expect(text(first)).toContain("+50 tokens");
    bot.clock.advance(3_600_000);
    const again = await bot.run("alice", "/daily");
    expect(again.ephemeral).toBe(true);
    expect(text(again)).toContain("Come back in 23h");
    expect(text(again)).not.toMatch(/at .*\.(js|ts):\d+/u); // never a stack trace
    bot.clock.advance(23 * 3_600_000);
    expect(text(await bot.run("alice", "/daily"))).toContain("Balance: 100 tokens");
  });

  it("a replayed interaction (same id) answers the first result and grants nothing more", async () => {
    const bot = await startTestApp(await tempDir());
    const first = await bot.run("alice", "[i-1] /daily");
    const replay = await bot.run("alice", "[i-1] /daily");
    expect(replay).toEqual(first);
    expect(await bot.app.storage.game.tokens.balance("alice")).toBe(100);
  });
});

describe("/give", () => {
  it("moves tokens between two players", async () => {
    const bot = await startTestApp(await tempDir());
    await withDaily(bot, "alice");
    const given = await bot.run("alice", "/give bob 30");
    expect(given.ephemeral).toBe(false);
    expect(text(given)).toContain("alice gave 30 tokens to bob");
    expect(await bot.app.storage.game.tokens.balance("alice")).toBe(70);
    expect(await bot.app.storage.game.tokens.balance("bob")).toBe(30);
    await expectAuditOk(bot);
  });

  it("refuses more than the balance, a gift to oneself, to a bot, and over the bet limit", async () => {
    const bot = await startTestApp(await tempDir(), { BOT_BET_MAX: "1000" });
    await withDaily(bot, "alice");
    const short = await bot.run("alice", "/give bob 101");
    expect(short.ephemeral).toBe(true);
    expect(text(short)).toContain("You have 100 tokens; this needs 101 tokens");
    expect(text(await bot.run("alice", "/give alice 5"))).toContain("cannot give tokens to yourself");
    expect(text(await bot.run("alice", "/give bob 1001"))).toContain("at most 1,000");
    const toBot = await bot.app.bot.handleCommand({
      id: "to-bot",
      user: { id: "alice", name: "alice", bot: false },
      channelId: null,
      commandName: "give",
      options: { getUser: () => ({ id: "1234", name: "Clyde", bot: true }), getInteger: () => 5 },
    });
    expect(text(toBot)).toContain("Clyde is a bot");
    expect(await bot.app.storage.game.tokens.balance("alice")).toBe(100);
  });

  it("a replayed gift moves the tokens once", async () => {
    const bot = await startTestApp(await tempDir());
    await withDaily(bot, "alice");
    await bot.run("alice", "[g-1] /give bob 10");
    await bot.run("alice", "[g-1] /give bob 10");
    expect(await bot.app.storage.game.tokens.balance("bob")).toBe(10);
  });
});

describe("/coinflip", () => {
  it("a win pays twice the bet, a loss keeps it, and the house's side conserves tokens", async () => {
    const coin = riggedCoin();
    const bot = await startTestApp(await tempDir(), {}, { random: coin });
    await withDaily(bot, "alice");
    coin.next = true;
    const win = await bot.run("alice", "/coinflip 10");
    expect(text(win)).toContain("you win");
    expect(await bot.app.storage.game.tokens.balance("alice")).toBe(110);
    coin.next = false;
    const loss = await bot.run("alice", "/coinflip 40");
    expect(text(loss)).toContain("you lose");
    expect(text(loss)).toContain("Balance: 70 tokens");
    await expectAuditOk(bot);
    const player = await bot.app.storage.game.players.get("alice");
    expect(player?.stats.byType.coinflip).toMatchObject({ games: 2, wins: 1, losses: 1 });
    expect(await bot.app.storage.game.games.list()).toEqual([]);
  });

  it("refuses a bet over the balance, and a replay neither draws nor pays again", async () => {
    const coin = riggedCoin();
    const bot = await startTestApp(await tempDir(), {}, { random: coin });
    expect(text(await bot.run("alice", "/coinflip 1"))).toContain("Not enough tokens");
    await withDaily(bot, "alice");
    const first = await bot.run("alice", "[c-1] /coinflip 10");
    coin.next = false;
    const replay = await bot.run("alice", "[c-1] /coinflip 10");
    expect(text(replay)).toContain("you win");
    expect(replay.embed.description).toBe(first.embed.description);
    expect(coin.draws).toBe(1);
    expect(await bot.app.storage.game.tokens.balance("alice")).toBe(110);
  });

  it("a flip is one write: stake, draw, payout and result in one batch, nothing left behind", async () => {
    const coin = riggedCoin();
    const bot = await startTestApp(await tempDir(), {}, { random: coin });
    const { game } = bot.app.storage;
    const store = bot.app.storage.store!;
    await withDaily(bot, "alice");
    await bot.run("alice", "/coinflip 10"); // the first also records alice's name
    for (const next of [true, false]) {
      coin.next = next;
      const seq = store.seq;
      await bot.run("alice", "/coinflip 10");
      expect(store.seq - seq).toBe(1);
    }
    expect(await game.games.list()).toEqual([]);
    expect(store.range({ prefix: "games/" })).toEqual([]);
    expect(await game.tokens.balance("alice")).toBe(110); // 100, won 10, won 10, lost 10
    await expectAuditOk(bot);
  });
});

describe("/duel", () => {
  async function challenge(bot: TestApp, line = "/duel bob 20"): Promise<{ accept: string; decline: string }> {
    const reply = await bot.run("alice", line);
    expect(reply.ephemeral).toBe(false);
    const [accept, decline] = reply.buttons ?? [];
    expect(accept?.label).toBe("Accept");
    expect(decline?.label).toBe("Decline");
    return { accept: accept!.customId, decline: decline!.customId };
  }

  it("escrows the challenger's stake, and accepting pays the whole pot to the winner", async () => {
    const coin = riggedCoin();
    const bot = await startTestApp(await tempDir(), {}, { random: coin });
    const { game } = bot.app.storage;
    await withDaily(bot, "alice", "bob");
    const { accept } = await challenge(bot);
    expect(await game.tokens.balance("alice")).toBe(80);
    expect((await game.audit()).escrow).toBe(20);
    coin.next = false; // the opponent wins
    const result = await bot.click("bob", accept);
    expect(result.update).toBe(true);
    expect(result.buttons).toEqual([]);
    expect(text(result)).toContain("bob wins 40 tokens");
    expect(await game.tokens.balance("alice")).toBe(80);
    expect(await game.tokens.balance("bob")).toBe(120);
    expect((await game.players.get("bob"))?.stats.wins).toBe(1);
    await expectAuditOk(bot);
  });

  it("only the challenged player can accept; only the two players can decline", async () => {
    const bot = await startTestApp(await tempDir());
    await withDaily(bot, "alice", "bob");
    const { accept, decline } = await challenge(bot);
    expect(text(await bot.click("alice", accept))).toContain("Wait for bob to accept");
    expect(text(await bot.click("carol", accept))).toContain("between alice and bob");
    expect(text(await bot.click("carol", decline))).toContain("between alice and bob");
    expect(await bot.app.storage.game.games.list()).toHaveLength(1);
  });

  it("declining (or withdrawing) refunds the stake", async () => {
    const bot = await startTestApp(await tempDir());
    const { game } = bot.app.storage;
    await withDaily(bot, "alice", "bob");
    const first = await challenge(bot);
    expect(text(await bot.click("bob", first.decline))).toContain("bob declined. alice gets 20 tokens back");
    const second = await challenge(bot);
    expect(text(await bot.click("alice", second.decline))).toContain("alice withdrew the challenge");
    expect(await game.tokens.balance("alice")).toBe(100);
    expect(text(await bot.click("bob", second.accept))).toContain("That game is over");
    await expectAuditOk(bot);
  });

  it("refuses a duel with oneself, a bot, over the balance, and an opponent who cannot match the stake", async () => {
    const bot = await startTestApp(await tempDir());
    await withDaily(bot, "alice");
    expect(text(await bot.run("alice", "/duel alice 5"))).toContain("cannot duel yourself");
    expect(text(await bot.run("alice", "/duel bob 500"))).toContain("Not enough tokens");
    const { accept } = await challenge(bot);
    const poor = await bot.click("bob", accept);
    expect(poor.ephemeral).toBe(true);
    expect(text(poor)).toContain("You have 0 tokens; this needs 20 tokens");
    const botOpponent = await bot.app.bot.handleCommand({
      id: "duel-bot",
      user: { id: "alice", name: "alice", bot: false },
      channelId: null,
      commandName: "duel",
      options: { getUser: () => ({ id: "99", name: "Clyde", bot: true }), getInteger: () => 5 },
    });
    expect(text(botOpponent)).toContain("Clyde is a bot");
  });

  it("an unanswered challenge expires after BOT_GAME_EXPIRY_MS with a refund, and can no longer be accepted", async () => {
    const bot = await startTestApp(await tempDir(), { BOT_GAME_EXPIRY_MS: "60000" });
    const { game } = bot.app.storage;
    await withDaily(bot, "alice", "bob");
    const { accept } = await challenge(bot);
    bot.clock.advance(60_000);
    expect(text(await bot.click("bob", accept))).toContain("That game is over");
    const sweep = await game.sweep();
    expect(sweep.refunded).toHaveLength(1);
    expect(await game.tokens.balance("alice")).toBe(100);
    await expectAuditOk(bot);
  });

  it("a replayed accept pays once, and a second click after a crash mid-accept finishes the duel", async () => {
    const bot = await startTestApp(await tempDir());
    const { game } = bot.app.storage;
    await withDaily(bot, "alice", "bob");
    const { accept } = await challenge(bot, "[d-1] /duel bob 20");
    const first = await bot.click("bob", accept, "a-1");
    const replay = await bot.click("bob", accept, "a-1");
    expect(text(replay)).toBe(text(first));
    expect((await game.tokens.balance("alice")) + (await game.tokens.balance("bob"))).toBe(200);
    await expectAuditOk(bot);

    // A crash after the join (the opponent's stake escrowed) and before the settlement:
    const again = await challenge(bot, "[d-2] /duel bob 20");
    await game.games.join("duel-d-2", "bob", 20, { idempotencyKey: "a-2" });
    const finished = await bot.click("bob", again.accept, "a-3");
    expect(text(finished)).toMatch(/wins 40 tokens/u);
    expect(await game.games.list()).toEqual([]);
    expect((await game.tokens.balance("alice")) + (await game.tokens.balance("bob"))).toBe(200);
    await expectAuditOk(bot);
  });

  it("accept is two writes (the join at the game's own stake, the settlement with the draw), and a replay after the game is gone needs only the game id", async () => {
    const coin = riggedCoin();
    const bot = await startTestApp(await tempDir(), {}, { random: coin });
    const { game } = bot.app.storage;
    const store = bot.app.storage.store!;
    await withDaily(bot, "alice", "bob");
    await game.players.upsert("bob", { name: "bob" });
    const { accept } = await challenge(bot, "[d-1] /duel bob 20");
    expect(accept).toBe(duelButtonId("accept", "duel-d-1"));
    expect((await game.games.get("duel-d-1"))?.joinStake).toBe(20);
    const seq = store.seq;
    const first = await bot.click("bob", accept, "a-1");
    expect(store.seq - seq).toBe(2);
    expect(text(first)).toContain("alice wins 40 tokens");
    coin.next = false;
    const replay = await bot.click("bob", accept, "a-1");
    expect(text(replay)).toBe(text(first));
    expect(coin.draws).toBe(1);
    expect(store.seq - seq).toBe(2);
    await expectAuditOk(bot);
  });

  it("a button posted by an earlier version (the stake in its custom id) still works", async () => {
    const bot = await startTestApp(await tempDir());
    await withDaily(bot, "alice", "bob");
    await challenge(bot, "[d-1] /duel bob 20");
    expect(text(await bot.click("bob", "duel:accept:duel-d-1:20"))).toMatch(/wins 40 tokens/u);
    await expectAuditOk(bot);
  });

  it("a button with a custom id that is not ours is refused politely", async () => {
    const bot = await startTestApp(await tempDir());
    expect(text(await bot.click("bob", "duel:explode:x:1"))).toContain("not one of ours");
    expect(text(await bot.click("bob", duelButtonId("accept", "duel-missing")))).toContain("That game is over");
    expect(text(await bot.click("bob", "nothing:here"))).toContain("no longer does anything");
  });
});

describe("/profile and /leaderboard", () => {
  it("profile shows rank, stats and balance, of oneself or of another player", async () => {
    const coin = riggedCoin();
    const bot = await startTestApp(await tempDir(), {}, { random: coin });
    await withDaily(bot, "alice", "bob");
    await bot.run("alice", "/coinflip 10");
    const own = text(await bot.run("alice", "/profile"));
    expect(own).toContain("Rank #1 of 1 with 3 points");
    expect(own).toContain("Balance: 110 tokens");
    expect(own).toContain("coinflip: 1W 0L 0D");
    const other = text(await bot.run("alice", "/profile bob"));
    expect(other).toContain("No games played yet");
    expect(other).toContain("Balance: 100 tokens");
  });

  it("leaderboard pages are ordered by score and an empty page is refused", async () => {
    const coin = riggedCoin();
    const rigged = await startTestApp(await tempDir(), { BOT_LEADERBOARD_PAGE_SIZE: "2" }, { random: coin });
    expect(text(await rigged.run("p1", "/leaderboard"))).toContain("Nobody has played yet");
    await withDaily(rigged, "p1", "p2", "p3");
    // p1 wins twice, p2 once, p3 loses once.
    const plan: Array<[string, boolean]> = [["p1", true], ["p1", true], ["p2", true], ["p3", false]];
    for (const [player, wins] of plan) {
      coin.next = wins;
      await rigged.run(player, "/coinflip 5");
    }
    const first = text(await rigged.run("p3", "/leaderboard"));
    expect(first).toMatch(/1\. p1: 6 points\n2\. p2: 3 points/u);
    expect(first).toContain("Page 1 of 2");
    expect(text(await rigged.run("p3", "/leaderboard 2"))).toContain("3. p3: 0 points");
    const beyond = await rigged.run("p3", "/leaderboard 3");
    expect(beyond.ephemeral).toBe(true);
    expect(text(beyond)).toContain("There are 2 pages");
  });
});

describe("stopping", () => {
  it("a stop waits for the interactions in flight: they are answered, and what they wrote is durable", async () => {
    const dir = await tempDir();
    const bot = await startTestApp(dir);
    await withDaily(bot, "alice");
    const inFlight = [bot.run("alice", "/give bob 10"), bot.run("alice", "/coinflip 5"), bot.run("carol", "/daily")];
    expect(bot.app.bot.inFlight).toBe(3);
    const stopped = bot.app.stop();
    const replies = await Promise.all(inFlight);
    expect(replies.map((reply) => reply.ephemeral)).toEqual([false, false, false]);
    expect(await stopped).toBe(0);
    const reopened = await startTestApp(dir);
    expect(await reopened.app.storage.game.tokens.balance("bob")).toBe(10);
    expect(await reopened.app.storage.game.tokens.balance("carol")).toBe(100);
    expect((await reopened.app.storage.game.audit()).ok).toBe(true);
  });
});

describe("errors", () => {
  it("an unknown command is refused, and after a stop new interactions are refused politely", async () => {
    const bot = await startTestApp(await tempDir());
    const unknown = await bot.app.bot.handleCommand({ id: "u-1", user: { id: "a", name: "a", bot: false }, channelId: null, commandName: "nope", options: { getUser: () => null, getInteger: () => null } });
    expect(text(unknown)).toContain("There is no /nope command");
    await bot.app.stop();
    const late = await bot.run("alice", "/daily");
    expect(late.ephemeral).toBe(true);
    expect(text(late)).toContain("shutting down");
  });
});
