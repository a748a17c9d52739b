import { createMemoryStore, type KeyValueStore } from "@store/kv";
import { StoreError } from "@store/fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createGame } from "../src/index.js";
import { Clock, expectAudited, memoryGame, rejection, track } from "./helpers.js";
import { legacyFiles, snowflake } from "./legacy-files.js";

async function allKeys(kv: KeyValueStore): Promise<string[]> {
  return (await kv.scan({ limit: 10_000 })).map((entry) => entry.key);
}

describe("importLegacy: realistic files", () => {
  it("imports 10k players, their tokens and games in progress, all or nothing; audit() holds; a second run changes nothing", async () => {
    const { game, kv, clock } = await memoryGame({ gamePlayersMax: 4 });
    const files = legacyFiles(10_000);
    const text = { players: JSON.stringify(files.players), tokens: JSON.stringify(files.tokens, null, 2), gameStates: Buffer.from(JSON.stringify(files.gameStates)) };
    const report = await game.importLegacy(text);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ imported: true, alreadyImported: false, counts: { players: 10_000, accounts: 9_000, games: 100 } });
    expect(report.ignoredFields).toContainEqual({ field: "players.avatar", records: 5_000 });
    await expectAudited(game);
    expect(game.leaderboard.size).toBe(10_000);

    const first = await game.players.get(snowflake(0));
    const source0 = files.players[snowflake(0)] as { stats: { wins: number; losses: number; draws: number; score: number; winStreak: number; bestStreak: number } };
    expect(first).toMatchObject({ name: "Player 0", createdAtMs: Date.UTC(2025, 0, 1), stats: { wins: source0.stats.wins, score: source0.stats.score, streak: source0.stats.winStreak, bestStreak: source0.stats.bestStreak } });
    const second = await game.players.get(snowflake(1));
    const source1 = files.players[snowflake(1)] as { username: string; wins: number; losses: number; points: number };
    expect(second).toMatchObject({ name: source1.username, createdAtMs: clock.ms, stats: { wins: source1.wins, losses: source1.losses, games: source1.wins + source1.losses, score: source1.points } });
    const tokens0 = files.tokens[snowflake(0)] as number;
    expect(await game.tokens.balance(snowflake(0))).toBe(tokens0);
    const tokens1 = files.tokens[snowflake(1)] as { balance: number };
    expect(await game.tokens.account(snowflake(1))).toMatchObject({ balance: tokens1.balance, lastDailyAtMs: null });
    expect(await game.tokens.account(snowflake(2))).toMatchObject({ lastDailyAtMs: Date.UTC(2026, 9, 1) + 2 });
    expect(await game.games.get("game-0")).toMatchObject({ type: "duel", channelId: "chan-0", players: [snowflake(0), snowflake(1)], stakes: { [snowflake(0)]: 10, [snowflake(1)]: 10 }, state: { board: [0, 1, 2], turn: snowflake(0) } });
    expect(await game.games.get("game-1")).toMatchObject({ type: "coinflip", stakes: { [snowflake(100)]: 25 }, createdAtMs: Date.UTC(2026, 9, 30) });

    const seq = (await kv.stats()).seq;
    const again = await game.importLegacy(text);
    expect(again).toMatchObject({ imported: false, alreadyImported: true, problems: [] });
    expect((await kv.stats()).seq).toBe(seq);
    expect((await allKeys(kv)).filter((key) => key.startsWith("meta/import"))).toEqual([`meta/imported/${report.digest}`]);
  });

  it("imported games in progress expire into refunds like any game", async () => {
    const { game, clock } = await memoryGame({ gameTtlMs: 1000 });
    await game.importLegacy({ gameStates: { g: { type: "duel", players: ["a", "b"], bet: 5 } } });
    clock.advance(1000);
    expect((await game.sweep()).refunded).toEqual([{ gameId: "g", refunds: { a: 5, b: 5 } }]);
    expect(await game.tokens.balance("a")).toBe(5);
    await expectAudited(game);
  });

  it("arrays of records with an id are accepted", async () => {
    const { game } = await memoryGame();
    const report = await game.importLegacy({ players: [{ id: "1", name: "A" }, { userId: 2, username: "B" }], tokens: [{ id: "1", balance: 3 }] });
    expect(report).toMatchObject({ imported: true, counts: { players: 2, accounts: 1, tokens: 3 } });
    expect((await game.players.get("2"))?.name).toBe("B");
  });
});

describe("importLegacy: broken files are reported and nothing is imported", () => {
  async function expectNothingImported(kv: KeyValueStore): Promise<void> {
    expect(await allKeys(kv)).toEqual([]);
  }

  it("a truncated file", async () => {
    const { game, kv } = await memoryGame();
    const files = legacyFiles(50);
    const text = JSON.stringify(files.tokens);
    const report = await game.importLegacy({ players: files.players, tokens: text.slice(0, text.length - 7) });
    expect(report.imported).toBe(false);
    expect(report.problems).toEqual([{ file: "tokens", where: "(document)", id: null, why: expect.stringMatching(/^not valid JSON \(the file looks truncated: /u) as unknown }]);
    await expectNothingImported(kv);
  });

  it("a wrong type, for a whole document and for single records, each reported with where and why", async () => {
    const { game, kv } = await memoryGame();
    const report = await game.importLegacy({
      players: { "1": { name: "A" }, "2": "just a string", "3": { name: "C", stats: { wins: "7" } }, "4": { id: "5", name: "D" } },
      tokens: 42 as never,
      gameStates: { g1: { players: ["1"] }, g2: { type: "duel", players: "1" } },
    });
    expect(report.imported).toBe(false);
    expect(report.problems.map((problem) => `${problem.file}${problem.where}: ${problem.why}`)).toEqual([
      'players["4"]: the record\'s id "5" differs from the key it is filed under',
      "tokens(document): the document must be an object keyed by id or an array of records with an id, got number 42",
      'players["2"]: a player must be an object, got the string "just a string"',
      'players["3"]: stats.wins must be a whole number from 0, got the string "7"',
      'gameStates["g1"]: no game type (type, gameType, game or kind)',
      'gameStates["g2"]: players must list 1 or more player ids, got the string "1"',
    ]);
    await expectNothingImported(kv);
  });

  it("a negative balance", async () => {
    const { game, kv } = await memoryGame();
    const report = await game.importLegacy({ players: legacyFiles(20).players, tokens: { "7": 10, "8": -3, "9": { balance: -1, lastDaily: null } } });
    expect(report.problems).toEqual([
      { file: "tokens", where: '["8"]', id: "8", why: "negative balance -3" },
      { file: "tokens", where: '["9"]', id: "9", why: "negative balance -1" },
    ]);
    await expectNothingImported(kv);
  });

  it("a record whose key exists in the store already", async () => {
    const { game, kv } = await memoryGame();
    await game.tokens.grant("7", 1);
    const seq = (await kv.stats()).seq;
    const report = await game.importLegacy({ tokens: { "6": 1, "7": 10 } });
    expect(report.problems).toEqual([{ file: "tokens", where: '["7"]', id: "7", why: expect.stringMatching(/^tokens\/7 exists in the store already/u) as unknown }]);
    expect((await kv.stats()).seq).toBe(seq);
  });
});

describe("importLegacy: an interrupted import leaves nothing behind", () => {
  /** The memory store, until `batchesLeft` batches have gone through: then every call fails, as if the process died. */
  function dying(kv: KeyValueStore, batchesLeft: number): KeyValueStore {
    let left = batchesLeft;
    const dead = (): never => {
      throw new StoreError("STORE_CLOSED", "the process died");
    };
    const alive = (): void => {
      if (left <= 0) dead();
    };
    return {
      get: async (key) => (alive(), kv.get(key)),
      getMany: async (keys) => (alive(), kv.getMany(keys)),
      scan: async (options) => (alive(), kv.scan(options)),
      stats: async () => (alive(), kv.stats()),
      subscribe: async (listener, options) => (alive(), kv.subscribe(listener, options)),
      close: async () => undefined,
      batch: async (ops) => {
        alive();
        left -= 1;
        return left < 0 ? dead() : kv.batch(ops);
      },
    };
  }

  it("crashes after each chunk are rolled back by the next createGame; the import then runs whole", async () => {
    const files = legacyFiles(600);
    for (const batchesLeft of [1, 2, 4, 6]) {
      const memory = createMemoryStore();
      const clock = new Clock();
      const crashing = await createGame(dying(memory, batchesLeft), { now: clock.now, sweepIntervalMs: 0, importBatchOpsMax: 200 });
      await expect(crashing.importLegacy(files)).rejects.toMatchObject({ code: "STORE_CLOSED" });
      await crashing.close();
      const keysAfterCrash = await allKeys(memory);
      expect(keysAfterCrash.length).toBeGreaterThan(0);
      const reopened = track(await createGame(memory, { now: clock.now, sweepIntervalMs: 0, importBatchOpsMax: 200 }));
      expect(await allKeys(memory)).toEqual([]);
      expect(reopened.leaderboard.size).toBe(0);
      const report = await reopened.importLegacy(files);
      expect(report).toMatchObject({ imported: true, counts: { players: 600 } });
      await expectAudited(reopened);
    }
  });

  it("while an import is pending, every operation refuses with GAME_IMPORT_PENDING", async () => {
    const { game, kv } = await memoryGame();
    await kv.batch([{ type: "set", key: "meta/import", value: { v: 1, state: "pending", digest: "x", startedAtMs: 0, doneAtMs: null, counts: { players: 0, accounts: 0, games: 0, tokens: 0 } } }]);
    await rejection(game.tokens.grant("a", 1), "GAME_IMPORT_PENDING");
    await rejection(game.games.create({ type: "t", players: ["a"] }), "GAME_IMPORT_PENDING");
    await rejection(game.players.recordResult("a", { type: "t", outcome: "win" }), "GAME_IMPORT_PENDING");
  });
});

describe("importLegacy: a cut file is told apart from a damaged one by its structure, not by the parser's wording", () => {
  const whole = JSON.stringify({ "1": { balance: 12, lastDaily: "2026-01-01T00:00:00.000Z" }, "2": { balance: 3050, name: "Zoë" } }, null, 2);
  /** Where each kind of cut lands in `whole`, and what the report says of it. */
  const cuts: ReadonlyArray<readonly [string, string, string]> = [
    ["inside a string", whole.slice(0, whole.indexOf("2026") + 4), "it ends inside a string"],
    ["inside a number", whole.slice(0, whole.indexOf("3050") + 2), "it ends with 2 objects or arrays still open"],
    ["after a comma", whole.slice(0, whole.indexOf(",") + 1), "it ends with 2 objects or arrays still open"],
    ["mid-key", whole.slice(0, whole.indexOf('"lastDaily"') + 5), "it ends inside a string"],
    ["inside a multi-byte character", whole.slice(0, whole.indexOf("ë")), "it ends inside a string"],
    ["at the very start", "", "it is empty"],
  ];

  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function whyOf(tokens: string | Uint8Array): Promise<string> {
    const { game, kv } = await memoryGame();
    const report = await game.importLegacy({ tokens });
    expect(report.imported).toBe(false);
    expect(await allKeys(kv)).toEqual([]);
    expect(report.problems).toHaveLength(1);
    return report.problems[0]!.why;
  }

  for (const [kind, text, how] of cuts) {
    it(`a cut ${kind} is reported as truncated, with this engine's message and with another engine's`, async () => {
      expect(await whyOf(text)).toMatch(new RegExp(`^not valid JSON \\(the file looks truncated: ${how}\\): `, "u"));
      // Cut bytes (the file as read from disk) say the same.
      const bytes = Buffer.from(whole, "utf8").subarray(0, Buffer.byteLength(text, "utf8") + (kind === "inside a multi-byte character" ? 1 : 0));
      expect(await whyOf(bytes)).toContain(`(the file looks truncated: ${how})`);
      // JavaScriptCore's wording, which names no position and no "end of input".
      const parse = JSON.parse.bind(JSON);
      vi.spyOn(JSON, "parse").mockImplementation((source: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
        if (source === text) throw new SyntaxError("JSON Parse error: Unterminated string");
        return parse(source, reviver) as unknown;
      });
      expect(await whyOf(text)).toContain(`(the file looks truncated: ${how}): JSON Parse error: Unterminated string`);
    });
  }

  it("a file damaged in the middle, whose brackets and quotes close, is not called truncated", async () => {
    for (const damaged of [whole.replace("3050", "30x50"), whole.replace('"balance": 12', '"balance": 12]'), `${whole}}`, whole.replace(",", ",,")]) {
      const why = await whyOf(damaged);
      expect(why).toMatch(/^not valid JSON: /u);
      expect(why).not.toContain("truncated");
    }
  });
});
