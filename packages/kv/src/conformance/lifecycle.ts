import { describe, expect, it } from "vitest";
import { EventLog, expectCode, settle, statsOf, withStore, type SuiteContext } from "./helpers.js";

export function lifecycleTests(context: SuiteContext): void {
  describe("stats and close", () => {
    it("stats: seq 0 and no keys when new; then the last seq and the live key count", async () => {
      await withStore(context, async (kv) => {
        expect(await statsOf(kv)).toEqual({ seq: 0, keys: 0 });
        await kv.batch([
          { type: "set", key: "a", value: 1 },
          { type: "set", key: "b", value: 2 },
        ]);
        const { seq } = await kv.batch([
          { type: "set", key: "a", value: 3 },
          { type: "delete", key: "b" },
          { type: "set", key: "c", value: 4 },
        ]);
        expect(await statsOf(kv)).toEqual({ seq, keys: 2 });
      });
    });

    it("close() is idempotent, also when called concurrently", async () => {
      const kv = await context.open();
      await kv.batch([{ type: "set", key: "k", value: 1 }]);
      await Promise.all([kv.close(), kv.close()]);
      await kv.close();
    });

    it("after close() every call rejects with STORE_CLOSED", async () => {
      const kv = await context.open();
      await kv.batch([{ type: "set", key: "k", value: 1 }]);
      await kv.close();
      await expectCode(() => kv.get("k"), "STORE_CLOSED");
      await expectCode(() => kv.getMany(["k"]), "STORE_CLOSED");
      await expectCode(() => kv.scan(), "STORE_CLOSED");
      await expectCode(() => kv.batch([{ type: "set", key: "k", value: 2 }]), "STORE_CLOSED");
      await expectCode(() => kv.subscribe(() => undefined), "STORE_CLOSED");
      await expectCode(() => kv.stats(), "STORE_CLOSED");
    });

    it("writes in flight when close() is called settle: each resolves with its seq", async () => {
      const kv = await context.open();
      const writes = Array.from({ length: 20 }, (_, index) => kv.batch([{ type: "set", key: `w/${index}`, value: index }]));
      const closing = kv.close();
      const outcomes = await Promise.allSettled(writes);
      await closing;
      const seqs = outcomes.map((outcome): unknown => (outcome.status === "fulfilled" ? outcome.value.seq : outcome.reason));
      for (const seq of seqs) expect(seq).toBeTypeOf("number");
      expect(new Set(seqs).size).toBe(20);
    });

    it("close() delivers the events of every committed write first, then ends subscriptions", async () => {
      const kv = await context.open();
      const log = new EventLog();
      const subscription = await kv.subscribe(log.listener);
      const writes = Array.from({ length: 10 }, (_, index) => kv.batch([{ type: "set", key: `c/${index}`, value: index }]));
      await kv.close();
      const seqs = (await Promise.all(writes)).map(({ seq }) => seq);
      expect(log.seqs()).toEqual(seqs.sort((a, b) => a - b));
      await settle();
      expect(log.events).toHaveLength(10);
      await subscription.close();
    });

    it("a resolved write is seen by the stats of the same store", async () => {
      await withStore(context, async (kv) => {
        const results = await Promise.all(Array.from({ length: 10 }, (_, index) => kv.batch([{ type: "set", key: `s/${index}`, value: index }])));
        expect(await statsOf(kv)).toEqual({ seq: Math.max(...results.map(({ seq }) => seq)), keys: 10 });
      });
    });
  });
}
