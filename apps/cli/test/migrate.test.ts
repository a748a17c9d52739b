import { auditGame, createGame } from "@store/game";
import { openStore, toKeyValueStore } from "@store/log";
import { describeOnServer } from "@store/testkit/postgres";
import { expect, it } from "vitest";
import { json, store, tempDir } from "./helpers.js";

// `store migrate` both ways between a data folder and PostgreSQL, on 100,000 players (with token
// accounts) and games in flight: the source and target hashes match each way and round trip, and
// @store/game's audit holds on each target. A target that holds keys is refused unless --force.
// Needs a PostgreSQL server (STORE_PG_URL, else the local one); skipped, saying so, without one.

const PLAYERS = 100_000;
const GAMES = 200;

interface MigrateReport {
  seq: number;
  batches: number;
  source: { keys: number; hash: string };
  target: { keys: number; hash: string };
  verified: boolean;
}

describeOnServer("store migrate", "migrate", (database) => {
  it("folder to PostgreSQL and back, 100,000 players and games in flight: hashes match, audit holds on each target", async () => {
    const source = await tempDir();
    const now = Date.UTC(2026, 10, 1);
    {
      const kv = toKeyValueStore(await openStore(source));
      const game = await createGame(kv, { now: () => now, sweepIntervalMs: 0 });
      const players: Record<string, unknown> = {};
      const tokens: Record<string, number> = {};
      for (let index = 0; index < PLAYERS; index += 1) {
        players[`u${index}`] = { name: `player ${index} ✨`, wins: index % 7, losses: index % 5 };
        tokens[`u${index}`] = 500 + (index % 100);
      }
      await game.importLegacy({ players, tokens });
      for (let index = 0; index < GAMES; index += 1) {
        await game.games.create({ type: "duel", players: [`u${2 * index}`, `u${2 * index + 1}`], stakes: { [`u${2 * index}`]: 10, [`u${2 * index + 1}`]: 5 } });
      }
      expect((await game.audit()).ok).toBe(true);
      await game.close();
      await kv.close();
    }

    const there = await store(["migrate", "--from", source, "--to", database().url, "--schema", "migrated", "--json"]);
    expect(there.code, there.stderr).toBe(0);
    const forth = json<MigrateReport>(there);
    expect(forth.verified).toBe(true);
    expect(forth.source).toEqual(forth.target);
    expect(forth.source.keys).toBeGreaterThan(2 * PLAYERS + GAMES);
    expect(forth.batches).toBeGreaterThanOrEqual(Math.ceil(forth.source.keys / 1_000));

    const { openPostgresStore } = await import("@store/postgres");
    const onServer = await openPostgresStore({ connectionString: database().url }, { schema: "migrated" });
    try {
      const report = await auditGame(onServer);
      expect(report.ok, JSON.stringify(report)).toBe(true);
      expect(report.games).toBe(GAMES);
    } finally {
      await onServer.close();
    }

    const refused = await store(["migrate", "--from", source, "--to", database().url, "--schema", "migrated"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("STORE_CONFLICT");
    expect(refused.stderr).toContain("--force");
    const forced = await store(["migrate", "--from", source, "--to", database().url, "--schema", "migrated", "--force", "--json"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(json<MigrateReport>(forced).target).toEqual(forth.source);

    const back = await tempDir();
    const returned = await store(["migrate", "--from", database().url, "--to", back, "--schema", "migrated", "--json"]);
    expect(returned.code, returned.stderr).toBe(0);
    const backReport = json<MigrateReport>(returned);
    expect(backReport.verified).toBe(true);
    expect(backReport.source).toEqual(forth.source);
    expect(backReport.target).toEqual(forth.source);

    const kv = toKeyValueStore(await openStore(back));
    try {
      const report = await auditGame(kv);
      expect(report.ok, JSON.stringify(report)).toBe(true);
      expect(report.games).toBe(GAMES);
    } finally {
      await kv.close();
    }
  });
});
