import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "@store/fs";
import type { ChangeEvent, ChangeOp, KeyValueStore, WriteOp } from "../types.js";
import { EventLog, rejection, type SuiteContext } from "./helpers.js";

// Few keys, so that batches collide and preconditions matter; non-ASCII and astral ones for order.
const KEYS = ["a", "b", "b/1", "é", "😀", "\uE000"];

/** How an op's precondition is chosen; resolved against the model when the batch runs. */
type Condition = "none" | "current" | "missing" | "stale";

interface OpPlan {
  readonly type: "set" | "delete" | "check";
  readonly key: string;
  readonly value: JsonValue;
  readonly condition: Condition;
}

const valueArbitrary: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.constant(null),
  fc.record({ n: fc.integer(), tags: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }) }),
);

const opArbitrary: fc.Arbitrary<OpPlan> = fc.record({
  type: fc.constantFrom("set", "set", "delete", "check"),
  key: fc.constantFrom(...KEYS),
  value: valueArbitrary,
  condition: fc.constantFrom("none", "none", "current", "current", "missing", "stale"),
});

const batchesArbitrary = fc.array(fc.uniqueArray(opArbitrary, { selector: (op) => op.key, minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 });

interface ModelEntry {
  readonly value: JsonValue;
  readonly version: number;
}

/** Turns planned ops into a batch against the model's current state; returns the keys whose precondition fails. */
function resolve(plans: readonly OpPlan[], model: ReadonlyMap<string, ModelEntry>, lastSeq: number): { ops: WriteOp[]; failing: string[] } {
  const ops: WriteOp[] = [];
  const failing: string[] = [];
  for (const plan of plans) {
    const current = model.get(plan.key)?.version ?? null;
    let ifVersion: number | null | undefined;
    if (plan.condition === "current") ifVersion = current;
    else if (plan.condition === "missing") ifVersion = null;
    else if (plan.condition === "stale") ifVersion = current === null ? lastSeq + 1 : current + 1;
    else ifVersion = plan.type === "check" ? current : undefined;
    if (ifVersion !== undefined && ifVersion !== current) failing.push(plan.key);
    const condition = ifVersion === undefined ? {} : { ifVersion };
    if (plan.type === "set") ops.push({ type: "set", key: plan.key, value: plan.value, ...condition });
    else if (plan.type === "delete") ops.push({ type: "delete", key: plan.key, ...condition });
    else ops.push({ type: "check", key: plan.key, ifVersion: ifVersion ?? null });
  }
  return { ops, failing };
}

async function expectMatchesModel(kv: KeyValueStore, model: ReadonlyMap<string, ModelEntry>, lastSeq: number): Promise<void> {
  const expected = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, entry]) => ({ key, ...entry }));
  expect(await kv.scan()).toEqual(expected);
  expect(await kv.scan({ reverse: true })).toEqual([...expected].reverse());
  expect(await kv.getMany(KEYS)).toEqual(KEYS.map((key) => (model.has(key) ? { key, ...model.get(key)! } : undefined)));
  expect(await kv.stats()).toMatchObject({ seq: lastSeq, keys: model.size });
}

async function runAgainstModel(kv: KeyValueStore, batches: readonly OpPlan[][]): Promise<void> {
  const model = new Map<string, ModelEntry>();
  const committed: ChangeEvent[] = [];
  const log = new EventLog();
  const subscription = await kv.subscribe(log.listener);
  let lastSeq = 0;
  for (const plans of batches) {
    const { ops, failing } = resolve(plans, model, lastSeq);
    if (ops.every((op) => op.type === "check")) {
      expect((await rejection(() => kv.batch(ops))).name).toBe("TypeError");
    } else if (failing.length > 0) {
      const error = await rejection(() => kv.batch(ops));
      expect(error.code).toBe("STORE_CONFLICT");
      expect(failing).toContain(error.key);
    } else {
      const { seq } = await kv.batch(ops);
      expect(seq).toBeGreaterThan(lastSeq);
      lastSeq = seq;
      const changes: ChangeOp[] = [];
      for (const op of ops) {
        if (op.type === "set") {
          model.set(op.key, { value: op.value, version: seq });
          changes.push({ type: "set", key: op.key, value: op.value });
        } else if (op.type === "delete") {
          model.delete(op.key);
          changes.push({ type: "delete", key: op.key });
        }
      }
      committed.push({ seq, ops: changes });
    }
    await expectMatchesModel(kv, model, lastSeq);
  }
  if (committed.length > 0) await log.waitFor(lastSeq);
  expect(log.events).toEqual(committed);
  await subscription.close();
}

export function modelTests(context: SuiteContext): void {
  describe("model", () => {
    it("random batches of sets, deletes and checks with preconditions behave like a plain Map", async () => {
      await fc.assert(
        fc.asyncProperty(batchesArbitrary, async (batches) => {
          const kv = await context.open();
          try {
            await runAgainstModel(kv, batches);
          } finally {
            await kv.close();
          }
        }),
        { numRuns: context.propertyRuns },
      );
    });
  });
}
