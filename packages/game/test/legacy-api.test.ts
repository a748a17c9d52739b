import type { ChangeEvent } from "@store/kv";
import { describe, expect, it } from "vitest";
import {
  deleteGameState,
  getAllGameStates,
  getBalance,
  getGameState,
  loadPlayers,
  loadTokens,
  addTokens,
  removeTokens,
  saveGameState,
  savePlayers,
  saveTokens,
  updatePlayerStats,
  useGame,
} from "../src/legacy/index.js";
import { expectAudited, memoryGame, track } from "./helpers.js";

async function recordEvents(setup: Awaited<ReturnType<typeof memoryGame>>): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  track(await setup.kv.subscribe((event) => events.push(event)));
  return events;
}

describe("@store/game/legacy: the old function names over the new layer", () => {
  it("loadPlayers / savePlayers: a changed player is written, the others not, in one batch", async () => {
    const setup = await memoryGame();
    useGame(setup.game);
    for (const id of ["1", "2", "3"]) await updatePlayerStats(id, "win", "duel");
    const players = await loadPlayers();
    expect(Object.keys(players)).toEqual(["1", "2", "3"]);
    expect(players["1"]).toMatchObject({ id: "1", name: "1", stats: { games: 1, wins: 1, score: 3, byType: { duel: { wins: 1 } } } });
    const events = await recordEvents(setup);
    players["2"]!.stats.wins += 1;
    players["2"]!.stats.games += 1;
    players["3"]!.name = "Three";
    players["4"] = { id: "4", name: "Four", createdAt: 0, stats: players["1"]!.stats };
    expect(await savePlayers(players)).toEqual({ written: 3 });
    await setup.game.catchUp();
    expect(events).toHaveLength(1);
    expect(events[0]!.ops.map((op) => op.key).sort()).toEqual(["players/2", "players/3", "players/4"]);
    expect(await savePlayers(await loadPlayers())).toEqual({ written: 0 });
    expect(setup.game.leaderboard.rank("2")).toMatchObject({ score: 3 });
  });

  it("savePlayers refuses records it cannot map, writing nothing", async () => {
    const setup = await memoryGame();
    useGame(setup.game);
    await expect(savePlayers({ "1": { name: "A" }, "2": { name: "B", stats: { wins: -1 } } })).rejects.toThrow(/\["2"\]: stats.wins must be a whole number from 0/u);
    expect(await loadPlayers()).toEqual({});
  });

  it("updatePlayerStats with an object sets the counters it names", async () => {
    const setup = await memoryGame();
    useGame(setup.game);
    const player = await updatePlayerStats("9", { wins: 4, games: 6, score: 12 });
    expect(player.stats).toMatchObject({ wins: 4, games: 6, score: 12, losses: 0 });
    await expect(updatePlayerStats("9", { elo: 3 } as never)).rejects.toThrow(/unknown stat "elo"/u);
  });

  it("loadTokens / saveTokens: balance changes are counted as granted or spent, so audit() holds", async () => {
    const setup = await memoryGame();
    useGame(setup.game);
    expect(await addTokens("a", 50)).toBe(50);
    expect(await removeTokens("a", 5)).toBe(45);
    const tokens = await loadTokens();
    expect(tokens).toEqual({ a: { balance: 45, lastDaily: null } });
    tokens.a = { balance: 40, lastDaily: 123 };
    tokens.b = { balance: 7, lastDaily: null };
    expect(await saveTokens(tokens)).toEqual({ written: 2 });
    expect(await getBalance("a")).toBe(40);
    expect(await saveTokens({ a: 40 })).toEqual({ written: 1 }); // lastDaily back to null
    expect(await saveTokens({ a: 40 })).toEqual({ written: 0 });
    expect(await setup.game.audit()).toMatchObject({ ok: true, balances: 47, granted: 57, spent: 10 });
  });

  it("game states: save, read back in the old shape, list, delete", async () => {
    const setup = await memoryGame();
    useGame(setup.game);
    const saved = await saveGameState("g1", { type: "duel", players: ["a", "b"], channelId: "c", board: [1, 2], turn: "a" });
    expect(saved).toMatchObject({ id: "g1", type: "duel", players: ["a", "b"], stakes: { a: 0, b: 0 }, channelId: "c", board: [1, 2], turn: "a" });
    await saveGameState("g1", { ...saved, turn: "b" });
    expect(await getGameState("g1")).toMatchObject({ turn: "b", board: [1, 2], createdAt: saved.createdAt });
    expect(Object.keys(await getAllGameStates())).toEqual(["g1"]);
    expect(await deleteGameState("g1")).toBe(true);
    expect(await deleteGameState("g1")).toBe(false);
    expect(await getGameState("g1")).toBeUndefined();
    await expectAudited(setup.game);
  });

  it("deleting an imported game with escrow counts the escrow as spent (the old bot paid out itself)", async () => {
    const setup = await memoryGame();
    useGame(setup.game);
    await setup.game.importLegacy({ gameStates: { g: { type: "duel", players: ["a", "b"], bet: 10 } } });
    await addTokens("a", 20, { reason: "winnings paid by the old bot" });
    expect(await deleteGameState("g")).toBe(true);
    expect(await setup.game.audit()).toMatchObject({ ok: true, granted: 40, spent: 20, balances: 20, escrow: 0 });
  });
});
