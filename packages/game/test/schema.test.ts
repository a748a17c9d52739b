import { createMemoryStore } from "@store/kv";
import { describe, expect, it } from "vitest";
import { memoryGame, rejection } from "./helpers.js";

const v1Player = { v: 1, id: "old", name: "Old Timer", createdAtMs: 5, stats: { games: 3, wins: 2, losses: 1, draws: 0, score: 6 } };

describe("schema versions", () => {
  it("an older player record is migrated when read and rewritten in the current version when next written", async () => {
    const kv = createMemoryStore();
    await kv.batch([{ type: "set", key: "players/old", value: v1Player }]);
    const { game } = await memoryGame({}, kv);
    expect(await game.players.get("old")).toEqual({ ...v1Player, v: 2, stats: { ...v1Player.stats, streak: 0, bestStreak: 0, byType: {} } });
    expect(game.leaderboard.rank("old")).toMatchObject({ score: 6, name: "Old Timer" });
    expect((await kv.get("players/old"))?.value).toMatchObject({ v: 1 });
    await game.players.upsert("old", { name: "Old Timer" });
    expect((await kv.get("players/old"))?.value).toMatchObject({ v: 2, stats: { streak: 0 } });
  });

  it("a version 1 game (before joinStake) reads as version 2 asking no stake of joiners, and is rewritten as version 2", async () => {
    const kv = createMemoryStore();
    const v1Game = { v: 1, id: "g", type: "duel", channelId: null, players: ["alice"], stakes: { alice: 0 }, state: null, createdAtMs: 1, updatedAtMs: 1, expiresAtMs: Date.UTC(2030, 0, 1) };
    await kv.batch([{ type: "set", key: "games/g", value: v1Game }]);
    const { game } = await memoryGame({}, kv);
    expect(await game.games.get("g")).toEqual({ ...v1Game, v: 2, joinStake: 0 });
    await game.tokens.grant("bob", 5);
    expect(await game.games.join("g", "bob")).toMatchObject({ v: 2, joinStake: 0, stakes: { alice: 0, bob: 0 } });
    expect((await kv.get("games/g"))?.value).toMatchObject({ v: 2, joinStake: 0 });
    expect(await game.tokens.balance("bob")).toBe(5);
  });

  it("a newer record version is refused with GAME_SCHEMA naming it, and never overwritten", async () => {
    const kv = createMemoryStore();
    const future = { v: 99, balance: 1_000, whatever: true };
    await kv.batch([{ type: "set", key: "tokens/alice", value: future }]);
    const { game } = await memoryGame({}, kv);
    const error = await rejection(game.tokens.grant("alice", 1), "GAME_SCHEMA");
    expect(error).toMatchObject({ key: "tokens/alice", version: 99 });
    expect(String(error.message)).toMatch(/newer/u);
    await rejection(game.tokens.balance("alice"), "GAME_SCHEMA");
    expect((await kv.get("tokens/alice"))?.value).toEqual(future);
  });

  it("audit() lists every record failing its schema, and a negative balance", async () => {
    const kv = createMemoryStore();
    await kv.batch([
      { type: "set", key: "players/x", value: { v: 2, id: "x", name: "X" } },
      { type: "set", key: "players/y", value: { ...v1Player, id: "someone-else" } },
      { type: "set", key: "tokens/neg", value: { v: 1, id: "neg", balance: -5, lastDailyAtMs: null, history: [] } },
      { type: "set", key: "games/g", value: { v: 1, id: "g" } },
    ]);
    const { game } = await memoryGame({}, kv);
    const report = await game.audit();
    expect(report.ok).toBe(false);
    expect(report.invalidRecords.map((record) => record.key)).toEqual(["games/g", "players/x", "players/y", "tokens/neg"]);
    expect(report.invalidRecords.find((record) => record.key === "players/y")?.problem).toMatch(/not the one in its key/u);
    expect(report.negativeBalances).toEqual([{ playerId: "neg", balance: -5 }]);
    expect(report.conserved).toBe(false);
    expect(report.difference).toBe(-5);
  });

  it("a state that is not JSON is refused before anything is written", async () => {
    const { game } = await memoryGame();
    await expect(game.games.create({ type: "t", players: ["a"], state: { when: new Date() } as never })).rejects.toThrow(TypeError);
    await expect(game.games.create({ type: "t", players: ["a"], state: { n: Number.NaN } })).rejects.toThrow(TypeError);
  });
});
