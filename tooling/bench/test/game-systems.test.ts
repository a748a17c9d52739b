import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { betterSqlite3 } from "../src/adapters/better-sqlite3.js";
import { storeLogAlways } from "../src/adapters/store-log.js";
import { seedPlayers, tokensOf } from "../src/game/seeds.js";
import type { GameSystem } from "../src/game/system.js";
import { createGameSystem, postgresGame, remoteGame } from "../src/game/systems.js";
import { checkAvailability } from "../src/runner.js";

// The game suite compares two implementations of one game: they must mean the same thing before
// their speeds can be compared. Each rule below runs unchanged on both, and on @store/game through
// the socket and on PostgreSQL (when a server answers: the quick-run test shows that row as
// unavailable otherwise).

const [postgresStatus] = await checkAvailability([postgresGame]);
const postgresHere = postgresStatus?.unavailable === null;
const systems = [storeLogAlways.name, betterSqlite3.name, remoteGame.name, ...(postgresHere ? [postgresGame.name] : [])];

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bench-game-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const players = seedPlayers(3, { seed: 5, withHistory: false, balance: 100 });
const [alice, bob, carol] = players.map((player) => player.id) as [string, string, string];
const supply = tokensOf(players);

async function opened(name: string): Promise<GameSystem> {
  const system = await createGameSystem(name);
  await system.open(dir);
  return system;
}

async function loaded(name: string): Promise<GameSystem> {
  const system = await opened(name);
  await system.load(players);
  return system;
}

/** Every token accounted for (balances plus escrow), and the games still open, as each system counts them. */
async function expectTotals(system: GameSystem, expected: { tokens: number; openGames: number }): Promise<void> {
  const totals = await system.totals();
  expect(totals).toMatchObject({ players: 3, ...expected });
  expect(totals.audited).not.toBe(false);
}

describe.each(systems)("the game on %s", (name) => {
  it("a transfer moves tokens, and a repeat with its idempotency key applies nothing", async () => {
    const system = await loaded(name);
    await system.transfer(alice, bob, 60, "t-1");
    await system.transfer(alice, bob, 60, "t-1");
    // Alice has 40 left: a second transfer of 60 under a new key is refused.
    await expect(system.transfer(alice, bob, 60, "t-2")).rejects.toMatchObject({ code: "GAME_INSUFFICIENT_FUNDS" });
    await system.transfer(alice, bob, 40, "t-3");
    await expect(system.transfer(alice, carol, 1, "t-4")).rejects.toMatchObject({ code: "GAME_INSUFFICIENT_FUNDS" });
    await expectTotals(system, { tokens: supply, openGames: 0 });
    await system.close();
  });

  it("a coin flip escrows both stakes, and its settlement pays the pot and scores the winner", async () => {
    const system = await loaded(name);
    await system.createCoinFlip("g-1", [alice, bob], 70, "c-1");
    await expectTotals(system, { tokens: supply, openGames: 1 });
    // 30 left each while the stakes are escrowed.
    await expect(system.transfer(alice, carol, 31, "t-1")).rejects.toMatchObject({ code: "GAME_INSUFFICIENT_FUNDS" });
    await expect(system.createCoinFlip("g-2", [bob, carol], 31, "c-2")).rejects.toMatchObject({ code: "GAME_INSUFFICIENT_FUNDS" });
    await system.settleCoinFlip("g-1", bob, alice, 70, "s-1");
    await system.settleCoinFlip("g-1", bob, alice, 70, "s-1");
    await expect(system.settleCoinFlip("g-1", bob, alice, 70, "s-2")).rejects.toMatchObject({ code: "GAME_NOT_FOUND" });
    await expectTotals(system, { tokens: supply, openGames: 0 });
    // Bob holds 30 + 140: he can pass 170 on, and not a token more.
    await expect(system.transfer(bob, carol, 171, "t-2")).rejects.toMatchObject({ code: "GAME_INSUFFICIENT_FUNDS" });
    await system.transfer(bob, carol, 170, "t-3");
    await system.close();
  });

  // Each open of the PostgreSQL row is a database of its own, dropped at close: nothing to reopen.
  it.skipIf(name === postgresGame.name)("the leaderboard ranks by score, ties sharing a rank, and is there again after a reopen", async () => {
    const first = await loaded(name);
    await first.createCoinFlip("g-1", [alice, bob], 1, "c-1");
    await first.settleCoinFlip("g-1", alice, bob, 1, "s-1");
    await first.createCoinFlip("g-2", [alice, carol], 1, "c-2");
    await first.settleCoinFlip("g-2", alice, carol, 1, "s-2");
    await first.close();
    const second = await opened(name);
    expect(second.top(10).map((entry) => [entry.id, entry.score])).toEqual([
      [alice, 6],
      ...[bob, carol].sort().map((id) => [id, 0]),
    ]);
    expect([second.rank(alice), second.rank(bob), second.rank(carol), second.rank("nobody")]).toEqual([1, 2, 2, undefined]);
    await expectTotals(second, { tokens: supply, openGames: 0 });
    await second.close();
  });

  it("an idempotency key reused for another request is refused", async () => {
    const system = await loaded(name);
    await system.transfer(alice, bob, 1, "k");
    await expect(system.transfer(alice, bob, 2, "k")).rejects.toMatchObject({ code: "GAME_IDEMPOTENCY_MISMATCH" });
    await system.close();
  });
});
