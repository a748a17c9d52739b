import { StoreError } from "@store/fs";
import { createMemoryStore, type ChangeEvent, type JsonValue, type KeyValueStore } from "@store/kv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createGame, type Game } from "../src/index.js";
import { Clock } from "./helpers.js";

// The leaderboard is built from a paged scan while the change subscription runs. Here, writes land
// between scan pages and events reach the follower late and in bursts, at points fast-check picks:
// after the build and after catchUp(), the index must equal the players actually stored.

interface Mutation {
  readonly id: number;
  readonly score: number | null; // null: delete the player
}

const mutation = fc.record({ id: fc.integer({ min: 0, max: 30 }), score: fc.option(fc.integer({ min: -3, max: 12 }), { nil: null }) });

function playerValue(id: string, score: number): JsonValue {
  return { v: 2, id, name: `name-${id}`, createdAtMs: 0, stats: { games: 0, wins: 0, losses: 0, draws: 0, score, streak: 0, bestStreak: 0, byType: {} } };
}

async function apply(kv: KeyValueStore, mutations: readonly Mutation[]): Promise<void> {
  for (const { id, score } of mutations) {
    const key = `players/p${id}`;
    await kv.batch([score === null ? { type: "delete", key } : { type: "set", key, value: playerValue(`p${id}`, score) }]);
  }
}

/**
 * The memory store, but each scan page first runs the next group of mutations, and events are held
 * back and released only at the pages fast-check chose (and at the end).
 */
function interleaving(kv: KeyValueStore, groups: Mutation[][], releaseAt: ReadonlySet<number>): KeyValueStore {
  let page = 0;
  const held: Array<{ listener: (event: ChangeEvent) => void; event: ChangeEvent }> = [];
  const release = (): void => {
    for (const { listener, event } of held.splice(0)) listener(event);
  };
  return {
    get: (key) => kv.get(key),
    getMany: (keys) => kv.getMany(keys),
    batch: (ops) => kv.batch(ops),
    close: () => kv.close(),
    stats: async () => {
      // A reader of the seq may wait for its events: let them through eventually.
      setImmediate(release);
      return kv.stats();
    },
    subscribe: async (listener, options) => {
      const inner = await kv.subscribe((event) => {
        held.push({ listener, event });
      }, options);
      return {
        afterSeq: inner.afterSeq,
        close: () => inner.close(),
        // The follower waits for this: the held events come through late, but before the answer.
        caughtUp: async () => {
          const seq = await inner.caughtUp();
          await new Promise((resolve) => setImmediate(resolve));
          release();
          return seq;
        },
      };
    },
    scan: async (options) => {
      const result = await kv.scan(options);
      // Only the leaderboard's pages: a write after the build (in the sweep's scan) is not the point.
      if (options?.prefix !== "players/") return result;
      await apply(kv, groups[page] ?? []);
      if (releaseAt.has(page)) release();
      page += 1;
      return result;
    },
  };
}

async function storedOrder(kv: KeyValueStore): Promise<Array<[string, number]>> {
  const entries = await kv.scan({ prefix: "players/", limit: 1000 });
  return entries
    .map((entry) => {
      const value = entry.value as { id: string; stats: { score: number } };
      return [value.id, value.stats.score] as [string, number];
    })
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function indexOrder(game: Game): Array<[string, number]> {
  return game.leaderboard.top(1000).map((entry) => [entry.id, entry.score]);
}

describe("the leaderboard index built while writes and late events interleave", () => {
  it("equals the stored players after the build, and after more writes and catchUp()", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation, { maxLength: 40 }),
        fc.array(fc.array(mutation, { maxLength: 6 }), { maxLength: 12 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { maxLength: 6 }),
        fc.array(mutation, { maxLength: 10 }),
        async (initial, groups, releasePages, after) => {
          const memory = createMemoryStore();
          await apply(memory, initial);
          const kv = interleaving(memory, groups, new Set(releasePages));
          const game = await createGame(kv, { now: new Clock().now, sweepIntervalMs: 0, scanPageSize: 3 });
          try {
            expect(indexOrder(game)).toEqual(await storedOrder(memory));
            await apply(memory, after);
            await game.catchUp();
            expect(indexOrder(game)).toEqual(await storedOrder(memory));
            for (const [id, score] of await storedOrder(memory)) {
              const expectedRank = (await storedOrder(memory)).filter(([, other]) => other > score).length + 1;
              expect(game.leaderboard.rank(id)).toMatchObject({ id, score, rank: expectedRank });
            }
          } finally {
            await game.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("follows the writes of another process sharing the backend", async () => {
    const memory = createMemoryStore();
    const clock = new Clock();
    const one = await createGame(memory, { now: clock.now, sweepIntervalMs: 0 });
    const two = await createGame(memory, { now: clock.now, sweepIntervalMs: 0 });
    await two.players.recordResult("zed", { type: "duel", outcome: "win", score: 50 });
    await two.players.recordResult("amy", { type: "duel", outcome: "win", score: 10 });
    await one.catchUp();
    expect(one.leaderboard.top(2).map((entry) => [entry.rank, entry.id, entry.score])).toEqual([
      [1, "zed", 50],
      [2, "amy", 10],
    ]);
    await one.close();
    await two.close();
  });

  it("a subscription that ends by an error is reported, and the index is rebuilt from a new scan (writes missed meanwhile included)", async () => {
    const memory = createMemoryStore();
    const ends: Array<() => Promise<void>> = [];
    const kv: KeyValueStore = {
      get: (key) => memory.get(key),
      getMany: (keys) => memory.getMany(keys),
      scan: (options) => memory.scan(options),
      batch: (ops) => memory.batch(ops),
      stats: () => memory.stats(),
      close: () => memory.close(),
      subscribe: async (listener, options) => {
        const subscription = await memory.subscribe(listener, options);
        // What a lost connection does: no event after it, then onError once.
        ends.push(async () => {
          await subscription.close();
          options?.onError?.(new StoreError("STORE_UNAVAILABLE", "connection lost"));
        });
        return subscription;
      },
    };
    const errors: unknown[] = [];
    const game = await createGame(kv, { now: new Clock().now, sweepIntervalMs: 0, onError: (error) => errors.push(error) });
    try {
      await apply(memory, [{ id: 1, score: 5 }, { id: 2, score: 9 }]);
      await game.catchUp();
      await ends.at(-1)!();
      await apply(memory, [{ id: 1, score: 20 }, { id: 2, score: null }, { id: 3, score: 1 }]);
      await game.catchUp();
      expect(errors).toMatchObject([{ code: "STORE_UNAVAILABLE" }]);
      expect(indexOrder(game)).toEqual(await storedOrder(memory));
      expect(indexOrder(game)).toEqual([
        ["p1", 20],
        ["p3", 1],
      ]);
    } finally {
      await game.close();
    }
  });
});

