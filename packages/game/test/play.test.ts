import { createMemoryStore, type KeyValueStore, type WriteOp } from "@store/kv";
import { describe, expect, it } from "vitest";
import type { GameRecord, SettleRequest } from "../src/index.js";
import { expectAudited, memoryGame, rejection } from "./helpers.js";

/** The store with every batch counted, and an optional hook run once after the next `get`. */
function counting(kv: KeyValueStore): { kv: KeyValueStore; batches: WriteOp[][]; afterNextGet: (hook: () => Promise<unknown>) => void } {
  const batches: WriteOp[][] = [];
  let hook: (() => Promise<unknown>) | undefined;
  const wrapped = new Proxy(kv, {
    get(target, property, receiver) {
      if (property === "batch") {
        return (ops: WriteOp[]) => {
          batches.push(ops);
          return target.batch(ops);
        };
      }
      if (property === "get") {
        return async (key: string) => {
          const entry = await target.get(key);
          const run = hook;
          hook = undefined;
          if (run !== undefined) await run();
          return entry;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { kv: wrapped, batches, afterNextGet: (next) => (hook = next) };
}

/** A coin flip's settlement: double or nothing, decided by `coin`, which counts its draws. */
function flip(player: string, bet: number, coin: { next: boolean; draws: number }): (game: GameRecord) => SettleRequest {
  return () => {
    coin.draws += 1;
    return coin.next ? { results: { [player]: "win" }, payouts: { [player]: 2 * bet } } : { results: { [player]: "loss" } };
  };
}

describe("games.play: a one-shot game decided and settled in one batch", () => {
  it("escrows, decides, pays and records in one batch; the game is never stored", async () => {
    const store = counting(createMemoryStore());
    const { game, kv } = await memoryGame({}, store.kv);
    await game.tokens.grant("alice", 100);
    const coin = { next: true, draws: 0 };
    const before = store.batches.length;
    const won = await game.games.play({ id: "flip-1", type: "coinflip", players: ["alice"], stakes: { alice: 10 } }, flip("alice", 10, coin), { idempotencyKey: "i-1" });
    expect(store.batches.length - before).toBe(1);
    expect(won).toEqual({ gameId: "flip-1", type: "coinflip", pot: 10, paid: 20, results: { alice: "win" }, payouts: { alice: 20 }, balances: { alice: 110 } });
    coin.next = false;
    const lost = await game.games.play({ id: "flip-2", type: "coinflip", players: ["alice"], stakes: { alice: 40 } }, flip("alice", 40, coin));
    expect(lost).toMatchObject({ pot: 40, paid: 0, results: { alice: "loss" }, balances: { alice: 70 } });
    expect(await kv.get("games/flip-1")).toBeUndefined();
    expect((await game.tokens.account("alice")).history.map((movement) => [movement.kind, movement.amount])).toEqual([["grant", 100], ["stake", -10], ["payout", 20], ["stake", -40]]);
    expect((await game.players.get("alice"))?.stats.byType.coinflip).toMatchObject({ games: 2, wins: 1, losses: 1 });
    expect(await game.audit()).toMatchObject({ ok: true, escrow: 0, granted: 110, spent: 40 });
  });

  it("a repeat with the same key (a retry after a crash, a double click) answers the first outcome, never draws again, writes nothing", async () => {
    const store = counting(createMemoryStore());
    const { game } = await memoryGame({}, store.kv);
    await game.tokens.grant("alice", 100);
    const coin = { next: true, draws: 0 };
    const request = { id: "flip-1", type: "coinflip", players: ["alice"], stakes: { alice: 10 } };
    const first = await game.games.play(request, flip("alice", 10, coin), { idempotencyKey: "i-1" });
    coin.next = false;
    const batches = store.batches.length;
    const again = await Promise.all([1, 2, 3].map(() => game.games.play(request, flip("alice", 10, coin), { idempotencyKey: "i-1" })));
    expect(again).toEqual([first, first, first]);
    expect(coin.draws).toBe(1);
    expect(store.batches.length).toBe(batches);
    expect(await game.tokens.balance("alice")).toBe(110);
    // The key belongs to that request: another bet under it is refused, not answered with the first outcome.
    await rejection(game.games.play({ ...request, stakes: { alice: 20 } }, flip("alice", 20, coin), { idempotencyKey: "i-1" }), "GAME_IDEMPOTENCY_MISMATCH");
  });

  it("concurrent first attempts under one key apply once", async () => {
    const { game } = await memoryGame();
    await game.tokens.grant("alice", 100);
    const coin = { next: true, draws: 0 };
    const request = { id: "flip-1", type: "coinflip", players: ["alice"], stakes: { alice: 10 } };
    const results = await Promise.all(Array.from({ length: 8 }, () => game.games.play(request, flip("alice", 10, coin), { idempotencyKey: "i-1" })));
    expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
    expect(await game.tokens.balance("alice")).toBe(110);
    await expectAudited(game);
  });

  it("a refusal writes nothing and calls no decision: funds, an id in use, a settlement naming other players, a decision that throws", async () => {
    const store = counting(createMemoryStore());
    const { game } = await memoryGame({}, store.kv);
    await game.tokens.grant("alice", 5);
    await game.games.create({ id: "taken", type: "duel", players: ["bob"] });
    const coin = { next: true, draws: 0 };
    const batches = store.batches.length;
    const short = await rejection(game.games.play({ type: "coinflip", players: ["alice"], stakes: { alice: 10 } }, flip("alice", 10, coin), { idempotencyKey: "k" }), "GAME_INSUFFICIENT_FUNDS");
    expect(short).toMatchObject({ playerId: "alice", balance: 5, amount: 10 });
    await rejection(game.games.play({ id: "taken", type: "coinflip", players: ["alice"] }, flip("alice", 0, coin)), "GAME_EXISTS");
    expect(coin.draws).toBe(0);
    await rejection(game.games.play({ type: "duel", players: ["alice", "bob"] }, () => ({ results: { alice: "win" } })), "GAME_INVALID");
    await expect(game.games.play({ type: "coinflip", players: ["alice"] }, () => ({ results: { alice: "win" }, payouts: { carol: 1 } }))).rejects.toThrow(TypeError);
    await expect(game.games.play({ type: "coinflip", players: ["alice"] }, () => {
      throw new Error("the dice fell off the table");
    })).rejects.toThrow("the dice fell off the table");
    expect(store.batches.length).toBe(batches);
    // The same key works once the player has the tokens: a refusal records nothing.
    await game.tokens.grant("alice", 5);
    await game.games.play({ type: "coinflip", players: ["alice"], stakes: { alice: 10 } }, flip("alice", 10, coin), { idempotencyKey: "k" });
    expect(await game.tokens.balance("alice")).toBe(20);
  });

  it("misuse is a TypeError before anything runs: no decision function, an expiry or a join stake", async () => {
    const { game } = await memoryGame();
    await expect(game.games.play({ type: "coinflip", players: ["alice"] }, undefined as never)).rejects.toThrow(/takes a function/u);
    await expect(game.games.play({ type: "coinflip", players: ["alice"], expiresAtMs: 5 } as never, () => ({ results: { alice: "win" } }))).rejects.toThrow(/no expiresAtMs/u);
    await expect(game.games.play({ type: "coinflip", players: ["alice"], joinStake: 5 } as never, () => ({ results: { alice: "win" } }))).rejects.toThrow(/no joinStake/u);
  });
});

describe("games.settle with a decision function", () => {
  it("decides inside the batch from the game as read there; a repeat after the game is gone answers the first result", async () => {
    const store = counting(createMemoryStore());
    const { game } = await memoryGame({}, store.kv);
    await game.tokens.grant("alice", 50);
    await game.tokens.grant("bob", 50);
    await game.games.create({ id: "duel", type: "duel", players: ["alice", "bob"], stakes: { alice: 20, bob: 20 }, state: { round: 3 } });
    const seen: GameRecord[] = [];
    const decide = (record: GameRecord): SettleRequest => {
      seen.push(record);
      return { results: { alice: "loss", bob: "win" }, payouts: { bob: 40 } };
    };
    const batches = store.batches.length;
    const first = await game.games.settle("duel", decide, { idempotencyKey: "duel:settle" });
    expect(store.batches.length - batches).toBe(1);
    expect(first).toEqual({ gameId: "duel", type: "duel", pot: 40, paid: 40, results: { alice: "loss", bob: "win" }, payouts: { bob: 40 }, balances: { bob: 70 } });
    expect(seen).toEqual([expect.objectContaining({ id: "duel", state: { round: 3 }, stakes: { alice: 20, bob: 20 } }) as unknown]);
    const again = await game.games.settle("duel", () => ({ results: { alice: "win", bob: "loss" }, payouts: { alice: 40 } }), { idempotencyKey: "duel:settle" });
    expect(again).toEqual(first);
    expect(store.batches.length - batches).toBe(1);
    await rejection(game.games.settle("duel", decide), "GAME_NOT_FOUND");
    await expectAudited(game);
  });

  it("a player who joins between the first read and the batch is in the game the decision sees", async () => {
    const store = counting(createMemoryStore());
    const { game } = await memoryGame({}, store.kv);
    await game.tokens.grant("carol", 10);
    await game.games.create({ id: "g", type: "party", players: ["alice", "bob"] });
    store.afterNextGet(() => game.games.join("g", "carol", 10));
    const result = await game.games.settle("g", (record) => ({
      results: Object.fromEntries(record.players.map((player) => [player, player === "carol" ? "win" : "loss"])),
      payouts: { carol: 10 },
    }));
    expect(result).toMatchObject({ results: { alice: "loss", bob: "loss", carol: "win" }, pot: 10, balances: { carol: 10 } });
    expect((await game.players.get("carol"))?.stats.wins).toBe(1);
    await expectAudited(game);
  });

  it("an expired game refuses the decision and is left to the refund", async () => {
    const { game, clock } = await memoryGame({ gameTtlMs: 1000 });
    await game.games.create({ id: "g", type: "duel", players: ["alice"] });
    clock.advance(1000);
    let called = false;
    await rejection(game.games.settle("g", () => ((called = true), { results: { alice: "win" } })), "GAME_EXPIRED");
    expect(called).toBe(false);
  });
});

describe("games.join without a stake: the game's joinStake", () => {
  it("escrows the stake the game asks, recorded at create; a repeat after the game is settled is answered from the idempotency record alone", async () => {
    const { game } = await memoryGame();
    await game.tokens.grant("alice", 50);
    await game.tokens.grant("bob", 50);
    const created = await game.games.create({ id: "duel", type: "duel", players: ["alice"], stakes: { alice: 20 }, joinStake: 20 });
    expect(created).toMatchObject({ v: 2, joinStake: 20 });
    const joined = await game.games.join("duel", "bob", undefined, { idempotencyKey: "click-1" });
    expect(joined).toMatchObject({ players: ["alice", "bob"], stakes: { alice: 20, bob: 20 } });
    expect(await game.tokens.balance("bob")).toBe(30);
    await game.games.settle("duel", { results: { alice: "win", bob: "loss" }, payouts: { alice: 40 } });
    expect(await game.games.join("duel", "bob", undefined, { idempotencyKey: "click-1" })).toEqual(joined);
    expect(await game.tokens.balance("bob")).toBe(30);
    // A join that never happened finds no game.
    await rejection(game.games.join("duel", "carol", undefined, { idempotencyKey: "click-2" }), "GAME_NOT_FOUND");
    await expectAudited(game);
  });

  it("an explicit stake still wins; a game created without joinStake asks nothing; funds are checked against the asked stake", async () => {
    const { game } = await memoryGame();
    await game.tokens.grant("bob", 15);
    await game.games.create({ id: "a", type: "t", players: ["alice"], joinStake: 20 });
    await game.games.create({ id: "b", type: "t", players: ["alice"] });
    const short = await rejection(game.games.join("a", "bob"), "GAME_INSUFFICIENT_FUNDS");
    expect(short).toMatchObject({ balance: 15, amount: 20 });
    expect(await game.games.join("a", "bob", 5)).toMatchObject({ stakes: { alice: 0, bob: 5 } });
    expect(await game.games.join("b", "bob")).toMatchObject({ joinStake: 0, stakes: { alice: 0, bob: 0 } });
    expect(await game.tokens.balance("bob")).toBe(10);
    await expect(game.games.create({ type: "t", players: ["alice"], joinStake: -1 })).rejects.toThrow(TypeError);
    await expectAudited(game);
  });
});
