import type { JsonValue } from "@store/fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toLegacyGameState, toLegacyPlayer, toLegacyRecord, toLegacyTokens } from "../src/legacy/index.js";
import { memoryGame } from "./helpers.js";
import { legacyFiles } from "./legacy-files.js";

type Documents = { players: Record<string, JsonValue>; tokens: Record<string, JsonValue>; gameStates: Record<string, JsonValue> };

/** Imports the documents into a fresh game, then maps every stored record back to its old shape. */
/** `exact`: the documents use only fields the import maps (none ignored). */
async function roundTrip(documents: Documents, exact = true): Promise<Documents> {
  const { game, kv } = await memoryGame({ gamePlayersMax: 4 });
  const report = await game.importLegacy(documents);
  expect(report.problems).toEqual([]);
  if (exact) expect(report.ignoredFields).toEqual([]);
  const back: Documents = { players: {}, tokens: {}, gameStates: {} };
  for (const { key, value } of await kv.scan({ limit: 10_000 })) {
    const legacy = toLegacyRecord(key, value);
    if (legacy === undefined) continue;
    const [prefix, id] = key.split("/") as [string, string];
    back[prefix === "players" ? "players" : prefix === "tokens" ? "tokens" : "gameStates"][id] = legacy;
  }
  await game.close();
  return back;
}

const old: Documents = {
  players: {
    alice: { id: "alice", name: "Alice", createdAt: 1_700_000_000_000, games: 8, wins: 3, losses: 2, draws: 1, score: 10, streak: 1, bestStreak: 2, byType: { duel: { games: 4, wins: 2, losses: 1, draws: 1, score: 7 } } },
    bob: { id: "bob", name: "Bob", createdAt: 0, games: 0, wins: 0, losses: 0, draws: 0, score: -3, streak: 0, bestStreak: 0, byType: {} },
  },
  tokens: { alice: { balance: 120, lastDaily: 1_700_000_100_000 }, bob: { balance: 0, lastDaily: null } },
  gameStates: {
    g1: { board: [0, 1, null], turn: "alice", id: "g1", type: "duel", players: ["alice", "bob"], stakes: { alice: 10, bob: 10 }, channelId: "c1", createdAt: 1_700_000_200_000, expiresAt: 1_700_000_300_000 },
    g2: { id: "g2", type: "coinflip", players: ["bob"], stakes: { bob: 0 }, channelId: null, createdAt: 5, expiresAt: 6 },
  },
};

describe("the inverse of the legacy import", () => {
  it("a record imported from an old-shape document and mapped back equals the old document", async () => {
    expect(await roundTrip(old)).toEqual(old);
  });

  it("the typed functions give the old shapes: counters on the player, { balance, lastDaily }, the game's state beside its fields", async () => {
    const { game } = await memoryGame();
    await game.importLegacy(old);
    const alice = (await game.players.get("alice"))!;
    expect(toLegacyPlayer(alice)).toEqual(old.players.alice);
    expect(toLegacyPlayer(alice).wins).toBe(3);
    expect(toLegacyTokens(await game.tokens.account("alice"))).toEqual(old.tokens.alice);
    expect(toLegacyGameState((await game.games.get("g1"))!)).toEqual(old.gameStates.g1);
  });

  it("toLegacyRecord leaves other keys out, does not modify the stored value, and refuses a record that does not decode", () => {
    const stored = { v: 2, id: "a", name: "A", createdAtMs: 1, stats: { games: 1, wins: 1, losses: 0, draws: 0, score: 3, streak: 1, bestStreak: 1, byType: { duel: { games: 1, wins: 1, losses: 0, draws: 0, score: 3 } } } };
    const copy = structuredClone(stored);
    const legacy = toLegacyRecord("players/a", stored) as { byType: { duel: { wins: number } } };
    legacy.byType.duel.wins = 99;
    expect(stored).toEqual(copy);
    expect(toLegacyRecord("idem/x", { atMs: 1 })).toBeUndefined();
    expect(toLegacyRecord("history/a/0", 1)).toBeUndefined();
    expect(() => toLegacyRecord("players/a", { v: 2, id: "a" })).toThrow(expect.objectContaining({ code: "GAME_SCHEMA" }));
  });

  it("files of mixed old shapes, imported, mapped back and imported again, give the same records", async () => {
    const files = legacyFiles(300) as unknown as Documents;
    const once = await roundTrip(files, false); // the files' avatars are dropped by the import
    expect(await roundTrip(once)).toEqual(once);
  });

  it("any player in the old flat shape survives the round trip (property)", async () => {
    const stats = fc.record({ wins: fc.nat(1_000), losses: fc.nat(1_000), draws: fc.nat(1_000), extra: fc.nat(1_000), score: fc.integer({ min: -10_000, max: 10_000 }) });
    const player = fc.record({
      name: fc.string({ minLength: 1, maxLength: 100 }).filter((name) => name.trim().length > 0),
      createdAt: fc.nat(4_000_000_000_000),
      counters: stats,
      streak: fc.nat(50),
      best: fc.nat(50),
      byType: fc.dictionary(fc.constantFrom("duel", "coinflip", "dice"), stats),
    });
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.stringMatching(/^[a-z0-9]{1,12}$/), player, { maxKeys: 5 }), async (generated) => {
        const counters = ({ wins, losses, draws, extra, score }: { wins: number; losses: number; draws: number; extra: number; score: number }) => ({ games: wins + losses + draws + extra, wins, losses, draws, score });
        const players: Record<string, JsonValue> = {};
        for (const [id, p] of Object.entries(generated)) {
          players[id] = { id, name: p.name, createdAt: p.createdAt, ...counters(p.counters), streak: p.streak, bestStreak: Math.max(p.streak, p.best), byType: Object.fromEntries(Object.entries(p.byType).map(([type, s]) => [type, counters(s)])) };
        }
        const documents = { players, tokens: {}, gameStates: {} };
        expect((await roundTrip(documents)).players).toEqual(players);
      }),
      { numRuns: 50 },
    );
  });
});
