import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryStore, update } from "../src/index.js";
import { queuedKeyCount } from "../src/update-queue.js";

const KEYS = ["a", "b", "c", "d"];

/** One update: the keys it reads, which of them only shared, and how many turns its compute yields. */
const call = fc.record({
  keys: fc.subarray(KEYS, { minLength: 1 }),
  shared: fc.subarray(KEYS),
  yields: fc.nat(3),
  /** Calls started before this one was (a burst of concurrent callers, then the next). */
  afterTurns: fc.nat(2),
});

describe("update()'s queue, against a model of who may hold a key", () => {
  it("a key is held by one writer or by readers only, every update ends, in call order per written key, and the table empties", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 25 }), async (calls) => {
        const kv = createMemoryStore();
        const holders = new Map<string, { writers: number; readers: number }>();
        const startedOn = new Map<string, number[]>();
        const called: Array<Promise<unknown>> = [];
        for (const [index, { keys, shared: sharedAll, yields, afterTurns }] of calls.entries()) {
          for (let turn = 0; turn < afterTurns; turn += 1) await Promise.resolve();
          const shared = sharedAll.filter((key) => keys.includes(key));
          called.push(
            update(
              kv,
              keys,
              async () => {
                for (const key of keys) {
                  const held = holders.get(key) ?? { writers: 0, readers: 0 };
                  if (shared.includes(key)) held.readers += 1;
                  else held.writers += 1;
                  holders.set(key, held);
                  expect(held.writers === 0 || (held.writers === 1 && held.readers === 0), `key ${key} held by ${JSON.stringify(held)}`).toBe(true);
                  if (!shared.includes(key)) startedOn.set(key, [...(startedOn.get(key) ?? []), index]);
                }
                for (let turn = 0; turn < yields; turn += 1) await Promise.resolve();
                for (const key of keys) {
                  const held = holders.get(key)!;
                  if (shared.includes(key)) held.readers -= 1;
                  else held.writers -= 1;
                }
                return { ops: [{ type: "set", key: `done/${index}`, value: index }], result: index };
              },
              { sharedKeys: shared },
            ),
          );
        }
        // Every update ends: a deadlock would leave this waiting, and the test would time out.
        await Promise.all(called);
        for (const [key, order] of startedOn) expect(order, `writers of ${key}`).toEqual([...order].sort((x, y) => x - y));
        expect(queuedKeyCount(kv)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
