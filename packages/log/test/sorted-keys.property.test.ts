import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SortedKeys, compareKeys } from "../src/sorted-keys.js";

/** What `range` must return, computed the slow way from a plain sorted array. */
function expectedRange(keys: readonly string[], prefix: string, after: string | undefined, limit: number, reverse: boolean): string[] {
  const sorted = [...keys].sort(compareKeys);
  const inPrefix = sorted.filter((key) => key.startsWith(prefix));
  const ordered = reverse ? inPrefix.reverse() : inPrefix;
  const afterCursor = after === undefined ? ordered : ordered.filter((key) => (reverse ? key < after : key > after));
  return afterCursor.slice(0, limit);
}

// Few distinct characters, astral ones among them, so prefixes and neighbours collide often.
const keyArbitrary = fc.string({ unit: fc.constantFrom("a", "b", "ab", "z", "é", "😀", "\uffff"), minLength: 0, maxLength: 4 });

const operation = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), key: keyArbitrary }),
  // Deletes pick a key the index holds, so chunks really shrink and merge.
  fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("range" as const), prefix: keyArbitrary, after: fc.option(keyArbitrary, { nil: undefined }), limit: fc.integer({ min: 1, max: 3000 }), reverse: fc.boolean() }),
);

describe("SortedKeys", () => {
  it("ranges agree with a sorted array through inserts and deletes", () => {
    fc.assert(
      fc.property(fc.array(keyArbitrary, { maxLength: 60 }), fc.array(operation, { maxLength: 200 }), (initial, operations) => {
        const model = new Set(initial);
        // Chunks of 8 keys (split above 16, merged below 2): inserts split and deletes merge all the time.
        const index = SortedKeys.from(model, 8);
        for (const op of operations) {
          if (op.kind === "insert" && !model.has(op.key)) {
            model.add(op.key);
            index.insert(op.key);
          } else if (op.kind === "delete" && model.size > 0) {
            const key = [...model][op.pick % model.size]!;
            model.delete(key);
            index.delete(key);
          } else if (op.kind === "range") {
            expect(index.range(op.prefix, op.after, op.limit, op.reverse)).toEqual(expectedRange([...model], op.prefix, op.after, op.limit, op.reverse));
          }
          expect(index.size).toBe(model.size);
        }
        expect(index.range("", undefined, Number.MAX_SAFE_INTEGER, false)).toEqual([...model].sort(compareKeys));
      }),
      { numRuns: 300 },
    );
  });

  it("splits and merges chunks without losing order across thousands of keys", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 3000, maxLength: 6000 }), fc.integer({ min: 0, max: 2 ** 31 }), (numbers, seed) => {
        const model = new Set<string>();
        const index = new SortedKeys();
        for (const number of numbers) {
          const key = `k/${number.toString(36)}`;
          if (model.has(key) && (number + seed) % 3 === 0) {
            model.delete(key);
            index.delete(key);
          } else if (!model.has(key)) {
            model.add(key);
            index.insert(key);
          }
        }
        const all = [...model].sort(compareKeys);
        expect(index.range("", undefined, Number.MAX_SAFE_INTEGER, false)).toEqual(all);
        expect(index.range("k/", undefined, Number.MAX_SAFE_INTEGER, true)).toEqual([...all].reverse());
        const middle = all[all.length >>> 1]!;
        expect(index.range("k/", middle, 700, false)).toEqual(all.filter((key) => key > middle).slice(0, 700));
        expect(index.range("k/", middle, 700, true)).toEqual(all.filter((key) => key < middle).reverse().slice(0, 700));
      }),
      { numRuns: 20 },
    );
  });

  it("a chunk emptied down to one key folds into its neighbour, in order", () => {
    const index = SortedKeys.from(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p"], 8);
    for (const key of ["b", "c", "d", "e", "f", "g", "h"]) index.delete(key);
    expect(index.range("", undefined, 100, false)).toEqual(["a", "i", "j", "k", "l", "m", "n", "o", "p"]);
    for (const key of ["j", "k", "l", "m", "n", "o", "p"]) index.delete(key);
    expect(index.range("", undefined, 100, true)).toEqual(["i", "a"]);
  });

  it("refuses to delete a key it does not hold", () => {
    const index = SortedKeys.from(["a", "c"]);
    expect(() => {
      index.delete("b");
    }).toThrow(/not in the sorted index/);
  });
});
