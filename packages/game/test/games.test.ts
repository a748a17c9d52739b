import { createMemoryStore } from "@store/kv";
import { describe, expect, it } from "vitest";
import { createGame } from "../src/index.js";
import { Clock, expectAudited, memoryGame, rejection, track } from "./helpers.js";

describe("game states", () => {
  it("create escrows every stake in the same batch; settle pays out, records results and removes the game", async () => {
    const { game, kv } = await memoryGame();
    await game.tokens.grant("alice", 100);
    await game.tokens.grant("bob", 100);
    const created = await game.games.create({ id: "duel-1", type: "duel", channelId: "c1", players: ["alice", "bob"], stakes: { alice: 10, bob: 10 }, state: { turn: "alice" } });
    expect(created).toMatchObject({ id: "duel-1", players: ["alice", "bob"], stakes: { alice: 10, bob: 10 }, state: { turn: "alice" } });
    expect(await game.tokens.balance("alice")).toBe(90);
    expect(await game.audit()).toMatchObject({ ok: true, escrow: 20, balances: 180, granted: 200 });
    const settled = await game.games.settle("duel-1", { results: { alice: "win", bob: "loss" }, payouts: { alice: 20 } });
    expect(settled).toMatchObject({ pot: 20, paid: 20, balances: { alice: 110 } });
    expect(await game.games.get("duel-1")).toBeUndefined();
    expect(await kv.get("games/duel-1")).toBeUndefined();
    expect((await game.players.get("alice"))!.stats).toMatchObject({ games: 1, wins: 1, score: 3, streak: 1, byType: { duel: { games: 1, wins: 1, score: 3 } } });
    expect((await game.players.get("bob"))!.stats).toMatchObject({ games: 1, losses: 1, score: 0, streak: 0 });
    await expectAudited(game);
  });

  it("a stake larger than the balance refuses the whole creation", async () => {
    const { game } = await memoryGame();
    await game.tokens.grant("alice", 100);
    await game.tokens.grant("bob", 5);
    const error = await rejection(game.games.create({ id: "g", type: "duel", players: ["alice", "bob"], stakes: { alice: 10, bob: 10 } }), "GAME_INSUFFICIENT_FUNDS");
    expect(error).toMatchObject({ playerId: "bob", balance: 5, amount: 10 });
    expect(await game.tokens.balance("alice")).toBe(100);
    expect(await game.games.get("g")).toBeUndefined();
  });

  it("a house game: payouts above the pot count as granted, below it as spent", async () => {
    const { game } = await memoryGame();
    await game.tokens.grant("alice", 100);
    await game.games.create({ id: "flip-1", type: "coinflip", players: ["alice"], stakes: { alice: 10 } });
    await game.games.settle("flip-1", { results: { alice: "win" }, payouts: { alice: 20 } });
    await game.games.create({ id: "flip-2", type: "coinflip", players: ["alice"], stakes: { alice: 10 } });
    await game.games.settle("flip-2", { results: { alice: "loss" } });
    expect(await game.tokens.balance("alice")).toBe(100);
    expect(await game.audit()).toMatchObject({ ok: true, granted: 110, spent: 10 });
  });

  it("settle must name exactly the game's players", async () => {
    const { game } = await memoryGame();
    await game.games.create({ id: "g", type: "duel", players: ["alice", "bob"] });
    await rejection(game.games.settle("g", { results: { alice: "win" } }), "GAME_INVALID");
    await expect(game.games.settle("g", { results: { alice: "win", bob: "loss" }, payouts: { carol: 1 } })).rejects.toThrow(TypeError);
    await rejection(game.games.settle("nope", { results: { alice: "win" } }), "GAME_NOT_FOUND");
  });

  it("update replaces the state conditionally; join escrows the newcomer's stake; list filters by channel and player", async () => {
    const { game } = await memoryGame();
    await game.tokens.grant("carol", 50);
    await game.games.create({ id: "g1", type: "duel", channelId: "c1", players: ["alice"], state: { moves: [] } });
    await game.games.create({ id: "g2", type: "duel", channelId: "c2", players: ["bob"] });
    const updates = await Promise.all(
      Array.from({ length: 10 }, (_, n) => game.games.update("g1", (current) => ({ moves: [...((current.state as { moves: number[] }).moves), n] }))),
    );
    expect(updates).toHaveLength(10);
    const moves = ((await game.games.get("g1"))!.state as { moves: number[] }).moves;
    expect([...moves].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await game.games.join("g1", "carol", 15);
    expect(await game.tokens.balance("carol")).toBe(35);
    expect((await game.games.list()).map((entry) => entry.id)).toEqual(["g1", "g2"]);
    expect((await game.games.list({ channelId: "c2" })).map((entry) => entry.id)).toEqual(["g2"]);
    expect((await game.games.list({ playerId: "carol" })).map((entry) => entry.id)).toEqual(["g1"]);
    await expectAudited(game);
  });

  it("cancel refunds every stake", async () => {
    const { game } = await memoryGame();
    await game.tokens.grant("alice", 30);
    await game.games.create({ id: "g", type: "duel", players: ["alice", "bob"], stakes: { alice: 30 } });
    expect(await game.games.cancel("g")).toEqual({ gameId: "g", refunds: { alice: 30 } });
    expect(await game.tokens.balance("alice")).toBe(30);
    await rejection(game.games.cancel("g"), "GAME_NOT_FOUND");
  });
});

describe("durable expiry", () => {
  it("a game past expiresAtMs refuses update and settle, and the sweep refunds it exactly once", async () => {
    const { game, clock } = await memoryGame({ gameTtlMs: 1000 });
    await game.tokens.grant("alice", 10);
    await game.games.create({ id: "g", type: "duel", players: ["alice", "bob"], stakes: { alice: 10 } });
    clock.advance(999);
    expect((await game.sweep()).refunded).toEqual([]);
    clock.advance(1);
    await rejection(game.games.settle("g", { results: { alice: "win", bob: "loss" } }), "GAME_EXPIRED");
    await rejection(game.games.update("g", () => null), "GAME_EXPIRED");
    const [first, second] = await Promise.all([game.sweep(), game.sweep()]);
    expect(first).toBe(second);
    expect(first.refunded).toEqual([{ gameId: "g", refunds: { alice: 10 } }]);
    expect((await game.sweep()).refunded).toEqual([]);
    expect(await game.tokens.balance("alice")).toBe(10);
    await expectAudited(game);
  });

  it("a due game whose record fails its schema is reported once by the sweep, never refunded, and stays for the audit", async () => {
    const errors: unknown[] = [];
    const { game, kv, clock } = await memoryGame({ gameTtlMs: 1000, onError: (error) => errors.push(error) });
    await game.tokens.grant("alice", 10);
    await game.games.create({ id: "g", type: "duel", players: ["alice", "bob"], stakes: { alice: 10 } });
    // Another writer breaks the record but keeps its version, id and expiry: bob's stake is gone.
    const [entry] = await kv.getMany(["games/g"]);
    const broken = { ...(entry!.value as Record<string, unknown>), stakes: { alice: 10 } };
    await kv.batch([{ type: "set", key: "games/g", value: broken }]);
    await game.catchUp();
    clock.advance(1000);
    expect((await game.sweep()).refunded).toEqual([]);
    expect(errors.map((error) => (error as { code?: unknown }).code)).toEqual(["GAME_SCHEMA"]);
    expect((await game.sweep()).refunded).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(await game.tokens.balance("alice")).toBe(0);
    expect((await game.audit()).ok).toBe(false);
  });

  it("a due game whose staking player's account fails its schema stays due: refunded by the sweep after the account is mended", async () => {
    const errors: unknown[] = [];
    const { game, kv, clock } = await memoryGame({ gameTtlMs: 1000, onError: (error) => errors.push(error) });
    await game.tokens.grant("alice", 10);
    await game.games.create({ id: "g", type: "duel", players: ["alice", "bob"], stakes: { alice: 10 } });
    const [account] = await kv.getMany(["tokens/alice"]);
    await kv.batch([{ type: "set", key: "tokens/alice", value: { ...(account!.value as Record<string, unknown>), balance: -1 } }]);
    clock.advance(1000);
    expect((await game.sweep()).refunded).toEqual([]);
    expect(errors.map((error) => (error as { key?: unknown }).key)).toEqual(["tokens/alice"]);
    await kv.batch([{ type: "set", key: "tokens/alice", value: account!.value }]);
    expect((await game.sweep()).refunded).toEqual([{ gameId: "g", refunds: { alice: 10 } }]);
    expect(await game.tokens.balance("alice")).toBe(10);
  });

  it("a game that expires while no process runs is refunded by the next createGame, once", async () => {
    const kv = createMemoryStore();
    const clock = new Clock();
    const first = await createGame(kv, { now: clock.now, sweepIntervalMs: 0 });
    await first.tokens.grant("alice", 10);
    await first.games.create({ id: "g", type: "duel", players: ["alice"], stakes: { alice: 10 }, expiresAtMs: clock.ms + 60_000 });
    await first.close();
    clock.advance(60_000);
    const second = track(await createGame(kv, { now: clock.now, sweepIntervalMs: 0 }));
    expect(await second.tokens.balance("alice")).toBe(10);
    expect(await second.games.get("g")).toBeUndefined();
    await second.close();
    const third = track(await createGame(kv, { now: clock.now, sweepIntervalMs: 0 }));
    expect(await third.tokens.balance("alice")).toBe(10);
    const account = await third.tokens.account("alice");
    expect(account.history.filter((movement) => movement.kind === "refund")).toHaveLength(1);
    await expectAudited(third);
  });

  it("the sweeper timer refunds on its own, and close() stops it", async () => {
    const clock = new Clock();
    const kv = createMemoryStore();
    const refunded: string[] = [];
    const game = track(await createGame(kv, { now: clock.now, sweepIntervalMs: 1, gameTtlMs: 1000 }));
    await game.tokens.grant("alice", 10);
    await game.games.create({ id: "g", type: "duel", players: ["alice"], stakes: { alice: 10 } });
    clock.advance(1000);
    await new Promise<void>((resolve) => {
      const subscription = kv.subscribe((event) => {
        if (event.ops.some((op) => op.key === "games/g" && op.type === "delete")) {
          refunded.push("g");
          void subscription.then((handle) => handle.close());
          resolve();
        }
      });
    });
    expect(refunded).toEqual(["g"]);
    await game.close();
    await rejection(game.tokens.grant("alice", 1), "GAME_CLOSED");
  });
});
