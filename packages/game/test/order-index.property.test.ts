import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OrderIndex, compareRanked, type Ranked } from "../src/order-index.js";

// Small id and score spaces so that inserts collide, removes hit, and ties are frequent; enough
// operations that blocks split (past 1024 items) and empty out.
const item = fc.record({ id: fc.integer({ min: 0, max: 1500 }).map((n) => `p${n}`), score: fc.integer({ min: -5, max: 40 }) });
const operation = fc.oneof(
  { weight: 6, arbitrary: item.map((value) => ({ kind: "insert" as const, value })) },
  { weight: 3, arbitrary: item.map((value) => ({ kind: "remove" as const, value })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2500 }).map((count) => ({ kind: "bulk" as const, count })) },
);

describe("OrderIndex against a sorted array", () => {
  it("insert, remove, countBefore, countAbove, at and slice agree with the model after every step", () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 1500 }), fc.array(operation, { maxLength: 60 }), fc.integer({ min: -6, max: 41 }), (initial, operations, probeScore) => {
        const model = dedupe(initial);
        const index = OrderIndex.from(model);
        let serial = 0;
        for (const operation of operations) {
          if (operation.kind === "insert") {
            const had = model.some((existing) => compareRanked(existing, operation.value) === 0);
            expect(index.insert(operation.value)).toBe(!had);
            if (!had) insertSorted(model, operation.value);
          } else if (operation.kind === "remove") {
            const at = model.findIndex((existing) => compareRanked(existing, operation.value) === 0);
            expect(index.remove(operation.value)).toBe(at >= 0);
            if (at >= 0) model.splice(at, 1);
          } else {
            for (let n = 0; n < operation.count; n += 1) {
              const value = { id: `b${serial++}`, score: n % 17 };
              expect(index.insert(value)).toBe(true);
              insertSorted(model, value);
            }
          }
          check(index, model, probeScore);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("from() of unsorted input equals inserting one by one", () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 3000 }), (items) => {
        const unique = dedupe(items);
        const built = OrderIndex.from(unique);
        const inserted = new OrderIndex<Ranked>();
        for (const value of unique) inserted.insert(value);
        expect([...built]).toEqual([...inserted]);
        expect(built.size).toBe(unique.length);
      }),
      { numRuns: 40 },
    );
  });
});

function check(index: OrderIndex<Ranked>, model: readonly Ranked[], probeScore: number): void {
  expect(index.size).toBe(model.length);
  expect([...index]).toEqual(model);
  expect(index.countAbove(probeScore)).toBe(model.filter((value) => value.score > probeScore).length);
  const samples = [0, 1, Math.floor(model.length / 2), model.length - 1, model.length, model.length + 3];
  for (const position of samples) {
    expect(index.at(position)).toEqual(model[position]);
    expect(index.slice(position, 7)).toEqual(model.slice(position, position + 7));
    const probe = model[position];
    if (probe !== undefined) expect(index.countBefore(probe)).toBe(position);
  }
}

function dedupe(items: readonly Ranked[]): Ranked[] {
  const byKey = new Map<string, Ranked>();
  for (const value of items) byKey.set(`${value.score}|${value.id}`, value);
  return [...byKey.values()].sort(compareRanked);
}

function insertSorted(model: Ranked[], value: Ranked): void {
  let at = 0;
  while (at < model.length && compareRanked(model[at]!, value) < 0) at += 1;
  model.splice(at, 0, value);
}
