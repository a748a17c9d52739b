import { createMemoryStore, type KeyValueStore, type WriteOp } from "@store/kv";
import { describe, expect, it } from "vitest";
import { expectAudited, memoryGame, rejection } from "./helpers.js";

/** The store with the keys of every batch recorded (checks left out: they write nothing). */
function recording(kv: KeyValueStore): { kv: KeyValueStore; written: string[][] } {
  const written: string[][] = [];
  const wrapped: KeyValueStore = {
    get: (key) => kv.get(key),
    getMany: (keys) => kv.getMany(keys),
    scan: (options) => kv.scan(options),
    batch: (ops: readonly WriteOp[]) => {
      written.push(ops.filter((op) => op.type !== "check").map((op) => op.key));
      return kv.batch(ops);
    },
    subscribe: (listener, options) => kv.subscribe(listener, options),
    stats: () => kv.stats(),
    close: () => kv.close(),
  };
  return { kv: wrapped, written };
}

describe("tokens created and destroyed are counted on the accounts they go through", () => {
  it("every operation writes only its own players' records, its game and its idempotency record: no key shared by all", async () => {
    const store = recording(createMemoryStore());
    const { game } = await memoryGame({}, store.kv);
    store.written.length = 0;
    await game.tokens.grant("alice", 100, { idempotencyKey: "k1" });
    await game.tokens.grant("bob", 100);
    await game.tokens.spend("alice", 5);
    await game.tokens.claimDaily("carol");
    await game.tokens.transfer("alice", "bob", 7);
    await game.games.create({ id: "g1", type: "duel", players: ["alice", "bob"], stakes: { alice: 10, bob: 10 } });
    await game.games.settle("g1", { results: { alice: "loss", bob: "win" }, payouts: { bob: 15 } }); // the house keeps 5
    await game.games.play({ id: "f1", type: "coinflip", players: ["carol"], stakes: { carol: 10 } }, () => ({ results: { carol: "win" }, payouts: { carol: 20 } }));
    expect(store.written).toEqual([
      ["tokens/alice", "idem/k1"],
      ["tokens/bob"],
      ["tokens/alice"],
      ["tokens/carol"],
      ["tokens/alice", "tokens/bob"],
      ["tokens/alice", "tokens/bob", "games/g1"],
      ["tokens/bob", "players/alice", "players/bob", "games/g1", "tokens/alice"],
      ["tokens/carol", "players/carol"],
    ]);
    await expectAudited(game);
  });

  it("grants, spends and daily claims count on the player's account; the house's share of a settlement on the game's first player's", async () => {
    const { game } = await memoryGame({ dailyAmount: 25 });
    await game.tokens.grant("alice", 100);
    await game.tokens.spend("alice", 30);
    await game.tokens.claimDaily("bob");
    expect(await game.tokens.account("alice")).toMatchObject({ balance: 70, granted: 100, spent: 30 });
    expect(await game.tokens.account("bob")).toMatchObject({ balance: 25, granted: 25, spent: 0 });
    // alice created the game: the house's cut (5 of the pot of 20) and its payment (10 above a pot of 20) are counted on her account.
    await game.games.create({ id: "cut", type: "duel", players: ["alice", "bob"], stakes: { alice: 10, bob: 10 } });
    await game.games.settle("cut", { results: { alice: "loss", bob: "win" }, payouts: { bob: 15 } });
    expect(await game.tokens.account("alice")).toMatchObject({ balance: 60, granted: 100, spent: 35 });
    await game.games.create({ id: "bonus", type: "duel", players: ["alice", "bob"], stakes: { alice: 10, bob: 10 } });
    await game.games.settle("bonus", (live) => ({ results: { alice: "draw", bob: "draw" }, payouts: Object.fromEntries(live.players.map((player) => [player, 15])) }));
    expect(await game.tokens.account("alice")).toMatchObject({ balance: 65, granted: 110, spent: 35 });
    expect(await game.tokens.account("bob")).toMatchObject({ balance: 35, granted: 25, spent: 0 });
    expect(await game.audit()).toMatchObject({ ok: true, balances: 100, escrow: 0, granted: 135, spent: 35 });
  });

  it("a settlement repeated with its key after the house's share needed one more account answers the first result", async () => {
    const { game, kv } = await memoryGame();
    await game.tokens.grant("alice", 50);
    await game.tokens.grant("bob", 50);
    await game.games.create({ id: "g", type: "duel", players: ["alice", "bob"], stakes: { alice: 20, bob: 20 } });
    const first = await game.games.settle("g", { results: { alice: "loss", bob: "win" }, payouts: { bob: 30 } }, { idempotencyKey: "s" });
    const seq = (await kv.stats()).seq;
    expect(await game.games.settle("g", { results: { alice: "loss", bob: "win" }, payouts: { bob: 30 } }, { idempotencyKey: "s" })).toEqual(first);
    expect((await kv.stats()).seq).toBe(seq);
    await rejection(game.games.settle("g", { results: { alice: "loss", bob: "win" }, payouts: { bob: 30 } }), "GAME_NOT_FOUND");
    await expectAudited(game);
  });

  it("an account keeps its newest movements as [atMs, kind, amount, balance, ref, reason]; tokens.account() shows them as objects", async () => {
    const { game, kv, clock } = await memoryGame();
    await game.tokens.grant("alice", 10, { reason: "welcome" });
    await game.tokens.transfer("alice", "bob", 4);
    expect((await kv.get("tokens/alice"))?.value).toEqual({
      v: 2,
      id: "alice",
      balance: 6,
      granted: 10,
      spent: 0,
      lastDailyAtMs: null,
      movements: 2,
      recent: [
        [clock.ms, "grant", 10, 10, null, "welcome"],
        [clock.ms, "transfer-out", -4, 6, "bob", null],
      ],
    });
    expect((await game.tokens.account("alice")).history).toEqual([
      { atMs: clock.ms, kind: "grant", amount: 10, balance: 10, ref: null, reason: "welcome" },
      { atMs: clock.ms, kind: "transfer-out", amount: -4, balance: 6, ref: "bob", reason: null },
    ]);
  });

  it("every tenth movement moves the ten into a history page in the same batch: what an operation writes does not grow with historyMax", async () => {
    const store = recording(createMemoryStore());
    const { game, kv } = await memoryGame({ historyMax: 25 }, store.kv);
    for (let n = 1; n <= 47; n += 1) {
      store.written.length = 0;
      await game.tokens.grant("alice", n);
      expect(store.written, `grant ${n}`).toEqual([n % 10 === 0 ? ["history/alice/" + String((n / 10 - 1) % 3), "tokens/alice"] : ["tokens/alice"]]);
      const account = await game.tokens.account("alice");
      // The last 25 (or all so far), oldest first, whichever of them are in pages.
      expect(account.history.map((movement) => movement.amount), `after grant ${n}`).toEqual(Array.from({ length: Math.min(n, 25) }, (_, index) => Math.max(1, n - 24) + index));
    }
    expect(((await kv.get("tokens/alice"))?.value as { recent: unknown[] }).recent).toHaveLength(7);
    // Three slots: the fourth page (movements 30 to 39) overwrote the first.
    expect((await kv.get("history/alice/0"))?.value).toMatchObject({ v: 1, id: "alice", first: 30 });
    await expectAudited(game);
  });

  it("a stake and a payout of one account in one batch, the tenth movement among them, page together", async () => {
    const { game } = await memoryGame({ historyMax: 12 });
    for (let n = 1; n <= 9; n += 1) await game.tokens.grant("alice", 1);
    await game.games.play({ id: "f", type: "coinflip", players: ["alice"], stakes: { alice: 4 } }, () => ({ results: { alice: "win" }, payouts: { alice: 8 } }));
    expect((await game.tokens.account("alice")).history.map((movement) => movement.kind)).toEqual(["grant", "grant", "grant", "grant", "grant", "grant", "grant", "grant", "grant", "stake", "payout"].slice(-12));
    expect(await game.tokens.balance("alice")).toBe(13);
  });

  it("an operation carries a damaged recent movement along unread; tokens.account() and audit() report it until it is paged out", async () => {
    const kv = createMemoryStore();
    await kv.batch([{ type: "set", key: "tokens/alice", value: { v: 2, id: "alice", balance: 10, granted: 10, spent: 0, lastDailyAtMs: null, movements: 1, recent: [[1, "gift", 10, 10, null, null]] } }]);
    const { game } = await memoryGame({}, kv);
    expect(await game.tokens.grant("alice", 1)).toMatchObject({ balance: 11 });
    await rejection(game.tokens.account("alice"), "GAME_SCHEMA");
    expect((await game.audit()).invalidRecords.map((record) => record.key)).toEqual(["tokens/alice"]);
    for (let n = 0; n < 8; n += 1) await game.tokens.grant("alice", 1); // the tenth movement pages it out with the rest
    expect((await game.audit()).invalidRecords.map((record) => record.key)).toEqual(["history/alice/0"]);
  });
});

describe("a version 1 store (movements as objects, counters in supply/<nn>, an import marker without granted)", () => {
  async function v1Store(): Promise<KeyValueStore> {
    const kv = createMemoryStore();
    const movement = { atMs: 5, kind: "import", amount: 70, balance: 70, ref: null, reason: "legacy import" };
    const counts = { players: 0, accounts: 1, games: 1, tokens: 100 };
    await kv.batch([
      { type: "set", key: "tokens/alice", value: { v: 1, id: "alice", balance: 70, lastDailyAtMs: null, history: [movement] } },
      { type: "set", key: "games/old", value: { v: 1, id: "old", type: "duel", channelId: null, players: ["alice"], stakes: { alice: 30 }, state: null, createdAtMs: 1, updatedAtMs: 1, expiresAtMs: Date.UTC(2030, 0, 1) } },
      { type: "set", key: "supply/03", value: { v: 1, granted: 100, spent: 0 } },
      { type: "set", key: "meta/imported/abc", value: { v: 1, state: "done", digest: "abc", startedAtMs: 1, doneAtMs: 2, counts } },
    ]);
    return kv;
  }

  it("audits as conserved: its supply records still count, its import marker counts nothing twice", async () => {
    const { game } = await memoryGame({}, await v1Store());
    expect(await game.audit()).toMatchObject({ ok: true, balances: 70, escrow: 30, granted: 100, spent: 0 });
  });

  it("an account is migrated when read and rewritten as version 2 by the next operation, its movements kept", async () => {
    const kv = await v1Store();
    const { game } = await memoryGame({}, kv);
    expect((await game.tokens.account("alice")).history).toEqual([{ atMs: 5, kind: "import", amount: 70, balance: 70, ref: null, reason: "legacy import" }]);
    await game.games.settle("old", { results: { alice: "win" }, payouts: { alice: 40 } }); // the house adds 10, counted on alice
    expect((await kv.get("tokens/alice"))?.value).toMatchObject({ v: 2, balance: 110, granted: 10, spent: 0, movements: 2, recent: [[5, "import", 70, 70, null, "legacy import"], [expect.any(Number), "payout", 40, 110, "old", null]] });
    expect(await game.audit()).toMatchObject({ ok: true, balances: 110, escrow: 0, granted: 110, spent: 0 });
  });

  it("an account with more movements than a page is paged out by its next operation, none lost", async () => {
    const kv = createMemoryStore();
    const history = Array.from({ length: 12 }, (_, index) => ({ atMs: index, kind: "grant", amount: 1, balance: index + 1, ref: null, reason: null }));
    await kv.batch([{ type: "set", key: "tokens/bob", value: { v: 1, id: "bob", balance: 12, lastDailyAtMs: null, history } }]);
    const { game } = await memoryGame({}, kv);
    expect((await game.tokens.account("bob")).history.map((movement) => movement.balance)).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
    await game.tokens.grant("bob", 1);
    expect((await kv.get("history/bob/0"))?.value).toMatchObject({ first: 0 });
    expect((await kv.get("tokens/bob"))?.value).toMatchObject({ movements: 13, recent: [expect.anything(), expect.anything(), expect.anything()] });
    expect((await game.tokens.account("bob")).history.map((movement) => movement.balance)).toEqual(Array.from({ length: 13 }, (_, index) => index + 1));
  });
});
