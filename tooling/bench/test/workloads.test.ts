import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fullStepEstimates, quickStepEstimates } from "../src/estimates.js";
import { play, type PlayOptions } from "../src/game/play.js";
import type { GameSystem } from "../src/game/system.js";
import { seededRandom } from "../src/random.js";
import { workloads } from "../src/workloads/index.js";
import { newKey, storedKey } from "../src/workloads/new-keys.js";

describe("the workload list", () => {
  it("has a time estimate for every workload, full and quick, so the time left stays meaningful", () => {
    for (const workload of workloads) {
      expect(fullStepEstimates.has(workload.name), workload.name).toBe(true);
      expect(quickStepEstimates.has(workload.name), workload.name).toBe(true);
    }
  });

  it("groups the three game workloads in the game suite, and no suite shares a workload's name", () => {
    expect(workloads.filter((workload) => workload.suite === "game").map((workload) => workload.name)).toEqual([
      "game-ops",
      "game-leaderboard",
      "game-start",
    ]);
    const names = new Set(workloads.map((workload) => workload.name));
    for (const workload of workloads) if (workload.suite !== undefined) expect(names.has(workload.suite)).toBe(false);
  });
});

describe("the new-keys probe's keys", () => {
  it("are new, distinct, and spread over the stored keys in every round", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 600 }), (stored, wanted) => {
        const sets = Math.min(stored, wanted);
        const storedKeys = new Set(Array.from({ length: stored }, (_, index) => storedKey(index)));
        const rounds = ["warm-up", "before", "after", "after again"] as const;
        const fresh = rounds.flatMap((round) => Array.from({ length: sets }, (_, index) => newKey(index, round, sets, stored)));
        expect(new Set(fresh).size).toBe(4 * sets);
        for (const key of fresh) expect(storedKeys.has(key)).toBe(false);
        // Spread: counted in stored keys below each one, no gap between new keys is wider than stored/sets.
        const sortedStored = [...storedKeys].sort();
        const below = (key: string): number => sortedStored.filter((candidate) => candidate < key).length;
        for (const round of rounds) {
          const positions = Array.from({ length: sets }, (_, index) => below(newKey(index, round, sets, stored)));
          const widest = Math.ceil(stored / sets);
          expect(positions[0]).toBeLessThanOrEqual(widest);
          expect(stored - positions.at(-1)!).toBeLessThanOrEqual(widest);
          for (let index = 1; index < sets; index++) expect(positions[index]! - positions[index - 1]!).toBeLessThanOrEqual(widest);
        }
      }),
      { numRuns: 50 },
    );
  });
});

type Call = readonly [kind: string, ...args: (string | number)[]];

/** A game that records calls and answers after a seeded number of event-loop turns, so runs interleave differently. */
function recordingSystem(seed: number): { system: GameSystem; calls: Call[] } {
  const calls: Call[] = [];
  const random = seededRandom(seed);
  const answer = async (call: Call): Promise<void> => {
    for (let turns = Math.floor(random() * 4); turns > 0; turns--) await new Promise((resolve) => setImmediate(resolve));
    calls.push(call);
  };
  const unused = (): never => {
    throw new Error("not used by play()");
  };
  const system: GameSystem = {
    open: unused,
    load: unused,
    transfer: (from, to, amount, key) => answer(["transfer", from, to, amount, key]),
    createCoinFlip: (id, [a, b], stake, key) => answer(["create", id, a, b, stake, key]),
    settleCoinFlip: (id, winner, loser, stake, key) => answer(["settle", id, winner, loser, stake, key]),
    top: unused,
    rank: unused,
    totals: unused,
    close: unused,
  };
  return { system, calls };
}

describe("play()", () => {
  const players = Array.from({ length: 8 }, (_, index) => `p${index}`);
  const options: PlayOptions = { loops: 8, ops: 200, players, actors: "own", seed: 3, prefix: "op" };

  it("gives every player the same rounds whatever the interleaving, and settles every game it creates", async () => {
    const first = recordingSystem(1);
    const second = recordingSystem(2);
    const outcome = await play(first.system, options);
    await play(second.system, options);
    // How many rounds each player gets depends on the system's speed; which rounds, never.
    const rounds = (calls: Call[], loop: number): string[] =>
      calls
        .filter((call) => String(call.at(-1)).startsWith(`op-${loop}-`))
        .map((call) => ({ n: Number(String(call.at(-1)).split("-")[2]), text: JSON.stringify(call) }))
        .sort((a, b) => a.n - b.n || a.text.localeCompare(b.text))
        .map((round) => round.text);
    for (let loop = 0; loop < options.loops; loop++) {
      const [shorter, longer] = [rounds(first.calls, loop), rounds(second.calls, loop)].sort((a, b) => a.length - b.length);
      expect(longer!.slice(0, shorter!.length)).toEqual(shorter);
    }
    expect(first.calls.length).toBe(outcome.latenciesMs.length);
    expect(first.calls.length).toBeGreaterThanOrEqual(options.ops);
    expect(first.calls.length).toBeLessThanOrEqual(options.ops + 1);
    expect(outcome.transfers + 2 * outcome.coinFlips).toBe(first.calls.length);
    const keys = first.calls.map((call) => call.at(-1));
    expect(new Set(keys).size).toBe(keys.length);
    const created = first.calls.filter((call) => call[0] === "create");
    const settled = first.calls.filter((call) => call[0] === "settle");
    expect(settled.map((call) => call[1]).sort()).toEqual(created.map((call) => call[1]).sort());
    for (const [, id, a, b, stake] of created) {
      const settlement = settled.find((call) => call[1] === id)!;
      expect(first.calls.indexOf(settlement)).toBeGreaterThan(first.calls.findIndex((call) => call[0] === "create" && call[1] === id));
      expect([settlement[2], settlement[3]].sort()).toEqual([a, b].sort());
      expect(settlement[4]).toBe(stake);
    }
  });

  it("split over processes (firstLoop), plays the rounds the same loops play in one process", async () => {
    const whole = recordingSystem(5);
    await play(whole.system, options);
    // Four "processes" of two loops each, a quarter of the operations each, as the socket row runs.
    const parts = await Promise.all(
      [0, 2, 4, 6].map(async (firstLoop, index) => {
        const part = recordingSystem(10 + index);
        await play(part.system, { ...options, loops: 2, firstLoop, ops: options.ops / 4 });
        return part.calls;
      }),
    );
    const byKey = new Map(whole.calls.map((call) => [String(call.at(-1)), JSON.stringify(call)]));
    const split = parts.flat();
    expect(split.length).toBeGreaterThanOrEqual(options.ops);
    for (const call of split) {
      const key = String(call.at(-1));
      // Every round a part played that the whole run also reached is the same round.
      if (byKey.has(key)) expect(JSON.stringify(call)).toBe(byKey.get(key));
    }
    const loopsOf = (calls: Call[]): Set<number> => new Set(calls.map((call) => Number(/^op-(\d+)-/.exec(String(call.at(-1)))?.[1])));
    expect(parts.map((calls) => [...loopsOf(calls)].sort())).toEqual([[0, 1], [2, 3], [4, 5], [6, 7]]);
    const overlap = split.filter((call) => byKey.has(String(call.at(-1))));
    expect(overlap.length).toBeGreaterThan(options.ops / 2);
  });

  it("refuses loops beyond the players it was given", async () => {
    const { system } = recordingSystem(6);
    await expect(play(system, { ...options, loops: 2, firstLoop: 7 })).rejects.toThrow(/loops 7 to 8 need as many players, got 8/);
  });

  it("has loop i act as player i, never with itself", async () => {
    const { system, calls } = recordingSystem(4);
    await play(system, options);
    for (const call of calls) {
      if (call[0] === "settle") continue;
      const [kind, id, a, b] = call[0] === "transfer" ? [call[0], String(call[4]), call[1], call[2]] : [call[0], String(call[1]), call[2], call[3]];
      const loop = Number(/^op-(\d+)-/.exec(id)?.[1]);
      expect(a, `${kind} ${id}`).toBe(players[loop]);
      expect(b).not.toBe(a);
    }
  });
});
