import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore, type KeyValueStore } from "@store/kv";
import { openStore, toKeyValueStore } from "@store/log";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createGame, type Game } from "../src/index.js";
import { Clock } from "./helpers.js";
import { Model, PLAYERS, SETTINGS, applyToGame, applyToModel, type Command } from "./model.js";

const player = fc.integer({ min: 0, max: PLAYERS.length - 1 });
// A few keys, reused: repeats of one request and keys reused for another request both happen.
const key = fc.option(fc.constantFrom("k0", "k1", "k2", "k3", "k4"), { nil: undefined, freq: 2 });
const amount = fc.integer({ min: 1, max: 60 });
const gameId = fc.integer({ min: 0, max: 3 });
const payout = fc.constantFrom("pot" as const, "double" as const, "none" as const, "draw" as const);

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom("grant" as const, "spend" as const), player, amount, key }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("transfer" as const), from: player, to: player, amount, key }).filter((c) => c.from !== c.to) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("daily" as const), player, key }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      game: gameId,
      players: fc.array(player, { minLength: 1, maxLength: 3 }),
      stakes: fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 3 }),
      joinStake: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
      key,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("join" as const), game: gameId, player, stake: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }), key }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("settle" as const), game: gameId, winner: fc.nat(3), payout, decided: fc.boolean(), key }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("play" as const), game: gameId, players: fc.array(player, { minLength: 1, maxLength: 3 }), stakes: fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 3 }), winner: fc.nat(3), payout, key }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), game: gameId, key }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("result" as const), player, outcome: fc.constantFrom("win" as const, "loss" as const, "draw" as const), key }) },
  // Coarse steps, so that the sums land exactly on the cooldown, expiry and idempotency boundaries often.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.constantFrom(1, 1_800_000, 3_600_000) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("retry" as const), back: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.constant({ kind: "sweep" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "reopen" as const }) },
);

interface Backend {
  open(): Promise<KeyValueStore>;
  /** Closes what open() gave, as a restart would. */
  close(kv: KeyValueStore): Promise<void>;
  dispose(): Promise<void>;
}

function memoryBackend(): Backend {
  const kv = createMemoryStore();
  return { open: async () => kv, close: async () => undefined, dispose: () => kv.close() };
}

async function logBackend(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), "store-game-model-"));
  return {
    open: async () => toKeyValueStore(await openStore(dir)),
    close: (kv) => kv.close(),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

async function check(game: Game, model: Model, step: string): Promise<void> {
  for (const id of PLAYERS) {
    expect(await game.tokens.balance(id), `${step}: balance of ${id}`).toBe(model.balance(id));
    const stats = (await game.players.get(id))?.stats;
    const expected = model.stats.get(id);
    if (expected === undefined) expect(stats, `${step}: ${id} has no stats`).toBeUndefined();
    else expect(stats, `${step}: stats of ${id}`).toMatchObject(expected);
  }
  expect((await game.games.list()).map((entry) => entry.id).sort(), `${step}: games`).toEqual([...model.games.keys()].sort());
  const report = await game.audit();
  expect(report, `${step}: audit`).toMatchObject({ ok: true, granted: model.granted, spent: model.spent });
  await game.catchUp();
  for (const [id, stats] of model.stats) {
    const above = [...model.stats.values()].filter((other) => other.score > stats.score).length;
    expect(game.leaderboard.rank(id), `${step}: rank of ${id}`).toMatchObject({ score: stats.score, rank: above + 1 });
  }
}

async function run(backend: Backend, commands: readonly Command[]): Promise<void> {
  const clock = new Clock();
  const model = new Model(clock.ms);
  const options = { now: clock.now, sweepIntervalMs: 0, idempotencySweepIntervalMs: 0, ...SETTINGS };
  let kv = await backend.open();
  let game = await createGame(kv, options);
  const keyed: Command[] = [];
  // Everyone starts with tokens, so that stakes, spends and transfers mostly succeed.
  const start: Command[] = PLAYERS.map((_, index) => ({ kind: "grant", player: index, amount: 100, key: undefined }));
  try {
    for (const [index, given] of [...start, ...commands].entries()) {
      const command = given.kind === "retry" ? (keyed[keyed.length - 1 - given.back] ?? { kind: "sweep" }) : given;
      if ("key" in command && command.key !== undefined) keyed.push(command);
      const step = `step ${index} ${JSON.stringify(command)}`;
      if (command.kind === "advance") clock.advance(command.ms);
      if (command.kind === "reopen") {
        await game.close();
        await backend.close(kv);
        kv = await backend.open();
        game = await createGame(kv, options);
      }
      const decided = { count: 0 };
      const decisionsBefore = model.decisions;
      const actual = await applyToGame(game, model, command, decided);
      const expected = applyToModel(model, command);
      expect(actual, step).toEqual(expected);
      // A settlement function runs once when the settlement is decided, never for a repeat.
      expect(decided.count, `${step}: settlement functions called`).toBe(model.decisions - decisionsBefore);
      await check(game, model, step);
    }
  } finally {
    await game.close();
    await backend.close(kv);
    await backend.dispose();
  }
}

describe("the game operations against a plain model, with conservation after every step", () => {
  it("on the in-memory store", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), (commands) => run(memoryBackend(), commands)),
      { numRuns: 120 },
    );
  });

  it("on @store/log through toKeyValueStore (real folder, reopened)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 30 }), async (commands) => run(await logBackend(), commands)),
      { numRuns: 25 },
    );
  });
});
