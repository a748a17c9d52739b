import { describe, expect, it } from "vitest";
import { memoryGame, rejection } from "./helpers.js";

describe("players and stats", () => {
  it("upsert creates a profile with createdAtMs from the clock, and renames", async () => {
    const { game, clock } = await memoryGame();
    const created = await game.players.upsert("42", { name: "Ada" });
    expect(created).toMatchObject({ v: 2, id: "42", name: "Ada", createdAtMs: clock.ms, stats: { games: 0 } });
    clock.advance(10);
    expect(await game.players.upsert("42", { name: "Ada L." })).toMatchObject({ name: "Ada L.", createdAtMs: created.createdAtMs });
    await expect(game.players.upsert("42", { name: "" })).rejects.toThrow(TypeError);
  });

  it("recordResult counts games, outcomes, score, the win streak and its best, per game type", async () => {
    const { game } = await memoryGame({ scoring: { win: 3, draw: 1, loss: -1 } });
    for (const outcome of ["win", "win", "draw", "win", "loss"] as const) await game.players.recordResult("ada", { type: "duel", outcome });
    await game.players.recordResult("ada", { type: "quiz", outcome: "win", score: 10 });
    const player = await game.players.get("ada");
    expect(player?.name).toBe("ada");
    expect(player?.stats).toEqual({
      games: 6,
      wins: 4,
      losses: 1,
      draws: 1,
      score: 3 + 3 + 1 + 3 - 1 + 10,
      streak: 1,
      bestStreak: 2,
      byType: { duel: { games: 5, wins: 3, losses: 1, draws: 1, score: 9 }, quiz: { games: 1, wins: 1, losses: 0, draws: 0, score: 10 } },
    });
  });

  it("recordResult with an idempotency key counts once", async () => {
    const { game } = await memoryGame();
    await game.players.recordResult("ada", { type: "duel", outcome: "win" }, { idempotencyKey: "i-1" });
    await game.players.recordResult("ada", { type: "duel", outcome: "win" }, { idempotencyKey: "i-1" });
    expect((await game.players.get("ada"))?.stats.wins).toBe(1);
    await rejection(game.players.recordResult("ada", { type: "duel", outcome: "loss" }, { idempotencyKey: "i-1" }), "GAME_IDEMPOTENCY_MISMATCH");
  });
});

describe("leaderboard", () => {
  it("top(n, offset) orders by score, ties by id and sharing a rank; rank(id) agrees", async () => {
    const { game } = await memoryGame();
    const scores: Record<string, number> = { a: 5, b: 9, c: 5, d: 1, e: 9, f: 0 };
    for (const [id, score] of Object.entries(scores)) await game.players.recordResult(id, { type: "t", outcome: "win", score });
    await game.catchUp();
    expect(game.leaderboard.top(10).map((entry) => `${entry.rank}:${entry.id}:${entry.score}`)).toEqual(["1:b:9", "1:e:9", "3:a:5", "3:c:5", "5:d:1", "6:f:0"]);
    expect(game.leaderboard.top(2, 3).map((entry) => `${entry.rank}:${entry.id}`)).toEqual(["3:c", "5:d"]);
    expect(game.leaderboard.rank("c")).toEqual({ rank: 3, id: "c", name: "c", score: 5 });
    expect(game.leaderboard.rank("nobody")).toBeUndefined();
    expect(game.leaderboard.size).toBe(6);
    expect(() => game.leaderboard.top(-1)).toThrow(TypeError);
  });

  it("follows score changes and renames", async () => {
    const { game } = await memoryGame();
    await game.players.recordResult("a", { type: "t", outcome: "win", score: 1 });
    await game.players.recordResult("b", { type: "t", outcome: "win", score: 2 });
    await game.players.recordResult("a", { type: "t", outcome: "win", score: 5 });
    await game.players.upsert("b", { name: "Bee" });
    await game.catchUp();
    expect(game.leaderboard.top(2).map((entry) => [entry.id, entry.name, entry.score])).toEqual([
      ["a", "a", 6],
      ["b", "Bee", 2],
    ]);
  });
});
