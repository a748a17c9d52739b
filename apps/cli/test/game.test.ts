import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createGame } from "@store/game";
import { openStore, toKeyValueStore } from "@store/log";
import { describe, expect, it } from "vitest";
import { json, store, tempDir } from "./helpers.js";

/** The old bot's three files, in the mixed shapes real ones have. */
async function legacyFiles(): Promise<{ players: string; tokens: string; gameStates: string }> {
  const dir = await tempDir();
  const files = {
    players: { "1": { id: "1", name: "Ada", stats: { wins: 3, losses: 1 } }, "2": { username: "Bo", wins: 1, losses: 3, avatar: "https://cdn.example/2.png" } },
    tokens: { "1": 100, "2": { balance: 50, lastDaily: null } },
    gameStates: { g1: { type: "duel", players: ["1", "2"], bet: 10 } },
  };
  const paths = { players: join(dir, "players.json"), tokens: join(dir, "tokens.json"), gameStates: join(dir, "gameStates.json") };
  for (const [name, path] of Object.entries(paths)) await writeFile(path, JSON.stringify(files[name as keyof typeof files], null, 2));
  return paths;
}

describe("store import-legacy and verify --game", () => {
  it("imports the old files through @store/game with its report; the audit then holds", async () => {
    const dir = join(await tempDir(), "data");
    const files = await legacyFiles();
    const result = await store(["import-legacy", dir, "--players", files.players, "--tokens", files.tokens, "--game-states", files.gameStates, "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(json(result)).toMatchObject({ imported: true, problems: [], counts: { players: 2, accounts: 2, games: 1 }, ignoredFields: expect.arrayContaining([{ field: "players.avatar", records: 1 }]) as unknown });
    const again = await store(["import-legacy", dir, "--players", files.players, "--tokens", files.tokens, "--game-states", files.gameStates]);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining("already imported") as unknown });
    const verified = await store(["verify", dir, "--game", "--json"]);
    expect(verified.code).toBe(0);
    expect(json(verified)).toMatchObject({ ok: true, game: { ok: true, report: { conserved: true, accounts: 2, players: 2, games: 1 } } });
  });

  it("a broken file imports nothing, lists the problem and exits 1", async () => {
    const dir = join(await tempDir(), "data");
    const files = await legacyFiles();
    await writeFile(files.players, '{"1": {"id": "1", "name": "Ada", "sta');
    const result = await store(["import-legacy", dir, "--players", files.players, "--tokens", files.tokens, "--game-states", files.gameStates]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^NOT imported: 1 problem\(s\); nothing was written/u);
    expect(result.stdout).toContain("players\t");
    expect(json(await store(["stats", dir, "--json"]))).toMatchObject({ seq: 0, keys: 0 });
  });

  it("verify --game exits 1 when tokens are not conserved", async () => {
    const dir = join(await tempDir(), "data");
    const files = await legacyFiles();
    await store(["import-legacy", dir, "--players", files.players, "--tokens", files.tokens]);
    const account = json<{ value: Record<string, unknown> }>(await store(["get", dir, "tokens/1", "--json"]));
    expect((await store(["set", dir, "tokens/1", JSON.stringify({ ...account.value, balance: 1_000_000 })])).code).toBe(0);
    const verified = await store(["verify", dir, "--game"]);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/FAILED: game audit at seq \d+: .*≠ granted/u);
  });

  it("verify --game audits a folder whose games are past their expiry without writing (a live bot refunds them, not the audit)", async () => {
    const dir = join(await tempDir(), "data");
    const kv = toKeyValueStore(await openStore(dir));
    const game = await createGame(kv, { now: () => 1_000, sweepIntervalMs: 0 });
    await game.tokens.grant("ada", 50);
    await game.games.create({ id: "duel-1", type: "duel", players: ["ada"], stakes: { ada: 20 }, expiresAtMs: 2_000 });
    await game.close();
    await kv.close();
    const before = json<{ seq: number }>(await store(["stats", dir, "--json"])).seq;
    const verified = await store(["verify", dir, "--game", "--json"]);
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(0);
    expect(json(verified)).toMatchObject({ game: { ok: true, report: { conserved: true, games: 1, escrow: 20 } } });
    expect(json<{ seq: number }>(await store(["stats", dir, "--json"])).seq).toBe(before);
  });

  it("without any file it is a usage error", async () => {
    expect((await store(["import-legacy", join(await tempDir(), "data")])).code).toBe(2);
  });
});
