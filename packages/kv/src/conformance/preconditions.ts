import { describe, expect, it } from "vitest";
import type { KeyValueStore, WriteOp } from "../types.js";
import { EventLog, expectCode, statsOf, withStore, type SuiteContext } from "./helpers.js";

/** Runs `ops`, expects STORE_CONFLICT naming `key`, and checks that nothing was written. */
async function expectConflict(kv: KeyValueStore, ops: WriteOp[], key: string): Promise<void> {
  const before = await statsOf(kv);
  const keys = ops.map((op) => op.key);
  const entriesBefore = await kv.getMany(keys);
  const error = await expectCode(() => kv.batch(ops), "STORE_CONFLICT");
  expect(error.key).toBe(key);
  expect(String(error.message)).toContain(key);
  expect(await statsOf(kv)).toEqual(before);
  expect(await kv.getMany(keys)).toEqual(entriesBefore);
}

export function preconditionTests(context: SuiteContext): void {
  describe("preconditions", () => {
    it("ifVersion: a number requires exactly that version", async () => {
      await withStore(context, async (kv) => {
        const { seq } = await kv.batch([{ type: "set", key: "k", value: 1 }]);
        await expectConflict(kv, [{ type: "set", key: "k", value: 2, ifVersion: seq + 1 }], "k");
        const next = await kv.batch([{ type: "set", key: "k", value: 2, ifVersion: seq }]);
        expect(await kv.get("k")).toEqual({ key: "k", value: 2, version: next.seq });
        await expectConflict(kv, [{ type: "set", key: "k", value: 3, ifVersion: seq }], "k");
        await expectConflict(kv, [{ type: "set", key: "missing", value: 3, ifVersion: seq }], "missing");
      });
    });

    it("ifVersion: null requires the key not to exist", async () => {
      await withStore(context, async (kv) => {
        const { seq } = await kv.batch([{ type: "set", key: "new", value: "created", ifVersion: null }]);
        expect(await kv.get("new")).toEqual({ key: "new", value: "created", version: seq });
        await expectConflict(kv, [{ type: "set", key: "new", value: "again", ifVersion: null }], "new");
        await kv.batch([{ type: "delete", key: "new" }]);
        await kv.batch([{ type: "set", key: "new", value: "re-created", ifVersion: null }]);
        expect((await kv.get("new"))?.value).toBe("re-created");
      });
    });

    it("a delete can carry ifVersion", async () => {
      await withStore(context, async (kv) => {
        const { seq } = await kv.batch([{ type: "set", key: "k", value: 1 }]);
        await expectConflict(kv, [{ type: "delete", key: "k", ifVersion: seq + 1 }], "k");
        await expectConflict(kv, [{ type: "delete", key: "k", ifVersion: null }], "k");
        await kv.batch([{ type: "delete", key: "k", ifVersion: seq }]);
        expect(await kv.get("k")).toBeUndefined();
        await kv.batch([{ type: "delete", key: "k", ifVersion: null }]);
      });
    });

    it("a check op guards a key the batch does not write, and writes nothing to it", async () => {
      await withStore(context, async (kv) => {
        const { seq } = await kv.batch([{ type: "set", key: "guard", value: "g" }]);
        const written = await kv.batch([
          { type: "check", key: "guard", ifVersion: seq },
          { type: "check", key: "absent", ifVersion: null },
          { type: "set", key: "target", value: 1 },
        ]);
        expect(await kv.get("guard")).toEqual({ key: "guard", value: "g", version: seq });
        expect(await kv.get("absent")).toBeUndefined();
        expect((await kv.get("target"))?.version).toBe(written.seq);
        await expectConflict(
          kv,
          [
            { type: "set", key: "target", value: 2 },
            { type: "check", key: "guard", ifVersion: written.seq },
          ],
          "guard",
        );
        await expectConflict(
          kv,
          [
            { type: "check", key: "guard", ifVersion: null },
            { type: "delete", key: "target" },
          ],
          "guard",
        );
      });
    });

    it("a failed precondition writes nothing of the batch, and subscribers hear nothing", async () => {
      await withStore(context, async (kv) => {
        const { seq } = await kv.batch([{ type: "set", key: "a", value: 1 }]);
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener);
        await expectConflict(
          kv,
          [
            { type: "set", key: "a", value: 2 },
            { type: "set", key: "b", value: 2 },
            { type: "delete", key: "c" },
            { type: "set", key: "d", value: 2, ifVersion: seq },
          ],
          "d",
        );
        const next = await kv.batch([{ type: "set", key: "e", value: 3 }]);
        await log.waitFor(next.seq);
        expect(log.events).toEqual([{ seq: next.seq, ops: [{ type: "set", key: "e", value: 3 }] }]);
        await subscription.close();
      });
    });

    it("ifVersion: undefined is refused (write null for must-not-exist), and nothing is written", async () => {
      await withStore(context, async (kv) => {
        const before = await statsOf(kv);
        const error = await expectCode(() => kv.batch([{ type: "set", key: "k", value: 1, ifVersion: undefined } as unknown as WriteOp]), "TypeError");
        expect(String(error.message)).toContain("null");
        await expectCode(() => kv.batch([{ type: "delete", key: "k", ifVersion: undefined } as unknown as WriteOp]), "TypeError");
        await expectCode(() => kv.batch([{ type: "check", key: "k", ifVersion: undefined } as unknown as WriteOp, { type: "set", key: "j", value: 1 }]), "TypeError");
        expect(await statsOf(kv)).toEqual(before);
        expect(await kv.get("k")).toBeUndefined();
      });
    });

    it("of 16 racing batches with the same precondition exactly one commits; the others conflict and write nothing", async () => {
      await withStore(context, async (kv) => {
        const { seq } = await kv.batch([{ type: "set", key: "hot", value: -1 }]);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 16 }, (_, index) =>
            kv.batch([
              { type: "set", key: "hot", value: index, ifVersion: seq },
              { type: "set", key: `side/${index}`, value: index },
            ]),
          ),
        );
        const winners = outcomes.flatMap((outcome, index) => (outcome.status === "fulfilled" ? [{ index, seq: outcome.value.seq }] : []));
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        for (const outcome of outcomes) {
          if (outcome.status === "rejected") {
            expect((outcome.reason as { code?: unknown }).code).toBe("STORE_CONFLICT");
            expect((outcome.reason as { key?: unknown }).key).toBe("hot");
          }
        }
        expect(await kv.get("hot")).toEqual({ key: "hot", value: winner.index, version: winner.seq });
        const sides = await kv.scan({ prefix: "side/" });
        expect(sides).toEqual([{ key: `side/${winner.index}`, value: winner.index, version: winner.seq }]);
        expect((await kv.stats()).seq).toBe(winner.seq);
      });
    });

    it("of 16 racing creates (ifVersion: null) exactly one commits", async () => {
      await withStore(context, async (kv) => {
        const outcomes = await Promise.allSettled(Array.from({ length: 16 }, (_, index) => kv.batch([{ type: "set", key: "once", value: index, ifVersion: null }])));
        const winners = outcomes.filter((outcome) => outcome.status === "fulfilled");
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === "rejected") expect((outcome.reason as { code?: unknown }).code).toBe("STORE_CONFLICT");
        }
      });
    });

    it("a conflict means a newer write committed: a read right after the rejection shows another version", async () => {
      await withStore(context, async (kv) => {
        for (let round = 0; round < 20; round += 1) {
          const { seq } = await kv.batch([{ type: "set", key: "contended", value: round }]);
          const attempts = Array.from({ length: 8 }, (_, index) =>
            kv.batch([{ type: "set", key: "contended", value: index, ifVersion: seq }]).then(
              () => undefined,
              async (error: unknown) => {
                expect((error as { code?: unknown }).code).toBe("STORE_CONFLICT");
                const entry = await kv.get("contended");
                expect(entry?.version, "the write that won is visible once the loser hears of it").not.toBe(seq);
              },
            ),
          );
          await Promise.all(attempts);
        }
      });
    });
  });
}
