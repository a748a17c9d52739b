import { createMemoryStore, type KeyValueStore } from "@store/kv";
import { describe, expect, it } from "vitest";
import { openStore, toKeyValueStore } from "@store/log";
import { expectAudited, memoryGame, rejection, tempDir, track } from "./helpers.js";

describe("tokens", () => {
  it("grant, spend and transfer move integer balances and keep the supply in step", async () => {
    const { game } = await memoryGame();
    expect(await game.tokens.grant("alice", 100)).toEqual({ playerId: "alice", balance: 100, amount: 100 });
    expect(await game.tokens.spend("alice", 30)).toEqual({ playerId: "alice", balance: 70, amount: 30 });
    expect(await game.tokens.transfer("alice", "bob", 20)).toEqual({ from: "alice", to: "bob", amount: 20, fromBalance: 50, toBalance: 20 });
    expect(await game.tokens.balance("alice")).toBe(50);
    expect(await game.tokens.balance("bob")).toBe(20);
    expect(await game.tokens.balance("nobody")).toBe(0);
    const report = await game.audit();
    expect(report).toMatchObject({ ok: true, balances: 70, escrow: 0, granted: 100, spent: 30, accounts: 2 });
  });

  it("spending more than the balance is GAME_INSUFFICIENT_FUNDS with the balance and the amount, and writes nothing", async () => {
    const { game, kv } = await memoryGame();
    await game.tokens.grant("alice", 10);
    const before = (await kv.stats()).seq;
    const error = await rejection(game.tokens.spend("alice", 11), "GAME_INSUFFICIENT_FUNDS");
    expect(error).toMatchObject({ playerId: "alice", balance: 10, amount: 11 });
    await rejection(game.tokens.transfer("alice", "bob", 11), "GAME_INSUFFICIENT_FUNDS");
    expect((await kv.stats()).seq).toBe(before);
  });

  it("amounts must be positive integers; ids must be valid (TypeError quoting the input)", async () => {
    const { game } = await memoryGame();
    for (const amount of [0, -1, 1.5, Number.NaN, "5", 2 ** 60]) {
      await expect(game.tokens.grant("alice", amount as number)).rejects.toThrow(TypeError);
    }
    await expect(game.tokens.grant("a/b", 1)).rejects.toThrow(/"a\/b"/u);
    await expect(game.tokens.transfer("alice", "alice", 1)).rejects.toThrow(TypeError);
  });

  it("a clock (the now option) that returns a fraction or a negative time is refused with a TypeError before anything is written", async () => {
    for (const ms of [1.5, -1, Number.NaN]) {
      const { game, kv } = await memoryGame({ now: () => ms });
      await expect(game.tokens.grant("alice", 1)).rejects.toThrow(/now option/u);
      expect((await kv.stats()).seq).toBe(0);
    }
  });

  it("claimDaily grants once per cooldown; before it, GAME_COOLDOWN says how long to wait", async () => {
    const { game, clock } = await memoryGame({ dailyAmount: 50, dailyCooldownMs: 1000 });
    expect(await game.tokens.claimDaily("alice")).toEqual({ playerId: "alice", amount: 50, balance: 50, nextAtMs: clock.ms + 1000 });
    clock.advance(400);
    const error = await rejection(game.tokens.claimDaily("alice"), "GAME_COOLDOWN");
    expect(error).toMatchObject({ retryAfterMs: 600, playerId: "alice" });
    clock.advance(600);
    expect((await game.tokens.claimDaily("alice")).balance).toBe(100);
    await expectAudited(game);
  });

  it("history keeps the last historyMax movements, newest last", async () => {
    const { game } = await memoryGame({ historyMax: 3 });
    for (let n = 1; n <= 5; n += 1) await game.tokens.grant("alice", n, { reason: `gift ${n}` });
    await game.tokens.transfer("alice", "bob", 2);
    const account = await game.tokens.account("alice");
    expect(account.history.map((movement) => [movement.kind, movement.amount, movement.balance])).toEqual([
      ["grant", 4, 10],
      ["grant", 5, 15],
      ["transfer-out", -2, 13],
    ]);
    expect(account.history[2]!.ref).toBe("bob");
  });
});

describe("idempotency", () => {
  it("a repeated operation with the same key returns the first result and applies nothing twice", async () => {
    const { game, kv } = await memoryGame();
    const first = await game.tokens.grant("alice", 10, { idempotencyKey: "interaction-1" });
    const seq = (await kv.stats()).seq;
    const again = await game.tokens.grant("alice", 10, { idempotencyKey: "interaction-1" });
    expect(again).toEqual(first);
    expect((await kv.stats()).seq).toBe(seq);
    expect(await game.tokens.balance("alice")).toBe(10);
  });

  it("a daily claim retried after the cooldown started returns the first result, not GAME_COOLDOWN", async () => {
    const { game, clock } = await memoryGame();
    const first = await game.tokens.claimDaily("alice", { idempotencyKey: "daily-1" });
    clock.advance(5);
    expect(await game.tokens.claimDaily("alice", { idempotencyKey: "daily-1" })).toEqual(first);
    await rejection(game.tokens.claimDaily("alice", { idempotencyKey: "daily-2" }), "GAME_COOLDOWN");
  });

  it("the same key for another request is GAME_IDEMPOTENCY_MISMATCH", async () => {
    const { game } = await memoryGame();
    await game.tokens.grant("alice", 10, { idempotencyKey: "k" });
    await rejection(game.tokens.grant("alice", 11, { idempotencyKey: "k" }), "GAME_IDEMPOTENCY_MISMATCH");
    await rejection(game.tokens.spend("alice", 10, { idempotencyKey: "k" }), "GAME_IDEMPOTENCY_MISMATCH");
  });

  it("concurrent repeats of one request apply it once", async () => {
    const { game } = await memoryGame();
    await game.tokens.grant("alice", 100);
    const results = await Promise.all(Array.from({ length: 20 }, () => game.tokens.transfer("alice", "bob", 7, { idempotencyKey: "click" })));
    expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
    expect(await game.tokens.balance("bob")).toBe(7);
  });

  it("records older than idempotencyTtlMs are swept; a repeat after that applies again", async () => {
    const { game, clock, kv } = await memoryGame({ idempotencyTtlMs: 1000, idempotencySweepIntervalMs: 0 });
    await game.tokens.grant("alice", 10, { idempotencyKey: "old" });
    clock.advance(999);
    expect((await game.sweep()).idempotencyRecordsRemoved).toBe(0);
    clock.advance(1);
    expect((await game.sweep()).idempotencyRecordsRemoved).toBe(1);
    expect(await kv.get("idem/old")).toBeUndefined();
    await game.tokens.grant("alice", 10, { idempotencyKey: "old" });
    expect(await game.tokens.balance("alice")).toBe(20);
  });
});

describe("concurrency", () => {
  it("64 concurrent players transferring among themselves: every transfer applied once, balances conserved", async () => {
    const { game } = await memoryGame();
    const players = Array.from({ length: 64 }, (_, index) => `p${index}`);
    for (const player of players) await game.tokens.grant(player, 100);
    const results = await Promise.allSettled(
      players.flatMap((player, index) => Array.from({ length: 5 }, (_, n) => game.tokens.transfer(player, players[(index + n + 1) % 64]!, 1 + n, { idempotencyKey: `${player}-${n}` }))),
    );
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    for (const player of players) expect(await game.tokens.balance(player)).toBe(100);
    await expectAudited(game);
  });

  it("64 players on one hot account in one process take turns: with a single attempt each, none conflicts", async () => {
    const { game } = await memoryGame({ attemptsMax: 1 });
    await game.tokens.grant("hot", 10_000);
    const results = await Promise.allSettled(
      Array.from({ length: 64 }, (_, n) => (n % 2 === 0 ? game.tokens.transfer("hot", `p${n}`, 10) : game.tokens.transfer(`p${n - 1}`, "hot", 1))),
    );
    // A transfer back may come before the one it returns (then it is short of funds): any other refusal is a conflict.
    const refused = results.flatMap((result) => (result.status === "rejected" ? [(result.reason as { code?: string }).code] : []));
    expect(refused.filter((code) => code !== "GAME_INSUFFICIENT_FUNDS")).toEqual([]);
    await expectAudited(game);
  });

  it("64 players of one process on @store/log, each allowed a single attempt, play transfers and coin flips among themselves: no operation meets a conflict", async () => {
    const kv = track(toKeyValueStore(track(await openStore(await tempDir()))));
    const { game } = await memoryGame({ attemptsMax: 1 }, kv);
    const players = Array.from({ length: 64 }, (_, index) => `p${index}`);
    for (const player of players) await game.tokens.grant(player, 1000);
    const rounds = await Promise.allSettled(
      players.map(async (self, index) => {
        for (let round = 0; round < 6; round += 1) {
          const other = players[(index + 1 + ((index * 7 + round * 13) % 63)) % 64]!;
          if (round % 2 === 0) {
            await game.tokens.transfer(self, other, 1 + round, { idempotencyKey: `${self}-t${round}` });
            continue;
          }
          const id = `${self}-g${round}`;
          await game.games.create({ id, type: "coinflip", players: [self, other], stakes: { [self]: 5, [other]: 5 } }, { idempotencyKey: `${id}-c` });
          await game.games.settle(id, { results: { [self]: "win", [other]: "loss" }, payouts: { [self]: 10 } }, { idempotencyKey: `${id}-s` });
        }
      }),
    );
    expect(rounds.filter((result) => result.status === "rejected")).toEqual([]);
    await expectAudited(game);
  });

  it("a conflict with a writer outside this process's queue (another KeyValueStore on the same data) is retried; after attemptsMax attempts it surfaces as STORE_CONFLICT and nothing of that operation is applied", async () => {
    const shared = createMemoryStore();
    // Another object over the same data: its updates are not in this one's queue, as another process's are not.
    const elsewhere: KeyValueStore = { get: (key) => shared.get(key), getMany: (keys) => shared.getMany(keys), scan: (options) => shared.scan(options), batch: (ops) => shared.batch(ops), subscribe: (listener, options) => shared.subscribe(listener, options), stats: () => shared.stats(), close: async () => undefined };
    const here = (await memoryGame({ attemptsMax: 1 }, shared)).game;
    const there = (await memoryGame({ attemptsMax: 1 }, elsewhere)).game;
    await here.tokens.grant("hot", 1000);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? here : there).tokens.transfer("hot", `to${n}`, 10)));
    const rejected = results.filter((result) => result.status === "rejected");
    expect(rejected.length).toBeGreaterThan(0);
    for (const result of rejected) expect((result.reason as { code?: string }).code).toBe("STORE_CONFLICT");
    const applied = results.length - rejected.length;
    expect(await here.tokens.balance("hot")).toBe(1000 - 10 * applied);
    await expectAudited(here);
  });
});

