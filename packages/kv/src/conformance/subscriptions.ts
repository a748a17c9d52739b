import { describe, expect, it } from "vitest";
import type { ChangeEvent } from "../types.js";
import { EventLog, captureUncaught, expectCode, settle, withStore, type SuiteContext } from "./helpers.js";

export function subscriptionTests(context: SuiteContext): void {
  describe("subscriptions", () => {
    it("without afterSeq, delivery starts after the store's seq at subscription time", async () => {
      await withStore(context, async (kv) => {
        await kv.batch([{ type: "set", key: "before", value: 1 }]);
        const { seq } = await kv.stats();
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener);
        expect(subscription.afterSeq).toBe(seq);
        const next = await kv.batch([{ type: "set", key: "after", value: 2 }]);
        await log.waitFor(next.seq);
        expect(log.events).toEqual([{ seq: next.seq, ops: [{ type: "set", key: "after", value: 2 }] }]);
        await subscription.close();
      });
    });

    it("resuming with afterSeq delivers exactly the missed events, then the new ones: no gap, no repeat", async () => {
      await withStore(context, async (kv) => {
        const written: ChangeEvent[] = [];
        for (let index = 0; index < 10; index += 1) {
          const ops = [{ type: "set" as const, key: `r/${index % 3}`, value: index }];
          const { seq } = await kv.batch(ops);
          written.push({ seq, ops });
        }
        const resumeAfter = written[4]!.seq;
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener, { afterSeq: resumeAfter });
        expect(subscription.afterSeq).toBe(resumeAfter);
        const ops = [{ type: "delete" as const, key: "r/0" }];
        const { seq } = await kv.batch(ops);
        written.push({ seq, ops });
        await log.waitFor(seq);
        expect(log.events).toEqual(written.slice(5));
        await subscription.close();
      });
    });

    it("resuming from the current seq delivers only new events", async () => {
      await withStore(context, async (kv) => {
        const { seq: last } = await kv.batch([{ type: "set", key: "x", value: 1 }]);
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener, { afterSeq: last });
        const { seq } = await kv.batch([{ type: "set", key: "x", value: 2 }]);
        await log.waitFor(seq);
        expect(log.seqs()).toEqual([seq]);
        await subscription.close();
      });
    });

    it("resuming before the history the store keeps rejects with STORE_HISTORY_GONE", async (test) => {
      if (context.openWithChangeHistoryMax === undefined) {
        test.skip("no openWithChangeHistoryMax given: the backend keeps all history");
        return;
      }
      const kv = await context.openWithChangeHistoryMax(4);
      try {
        const seqs: number[] = [];
        for (let index = 0; index < 40; index += 1) seqs.push((await kv.batch([{ type: "set", key: "h", value: index }])).seq);
        await expectCode(() => kv.subscribe(() => undefined, { afterSeq: 0 }), "STORE_HISTORY_GONE");
        await expectCode(() => kv.subscribe(() => undefined, { afterSeq: seqs[20]! }), "STORE_HISTORY_GONE");
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener, { afterSeq: seqs[37]! });
        await log.waitFor(seqs[39]!);
        expect(log.seqs()).toEqual(seqs.slice(38));
        await subscription.close();
      } finally {
        await kv.close();
      }
    });

    it("closing a subscription stops its delivery; closing it again is harmless", async () => {
      await withStore(context, async (kv) => {
        const closed = new EventLog();
        const sentinel = new EventLog();
        const subscription = await kv.subscribe(closed.listener);
        const sentinelSubscription = await kv.subscribe(sentinel.listener);
        const first = await kv.batch([{ type: "set", key: "k", value: 1 }]);
        await closed.waitFor(first.seq);
        await subscription.close();
        await subscription.close();
        const second = await kv.batch([{ type: "set", key: "k", value: 2 }]);
        await sentinel.waitFor(second.seq);
        await settle();
        expect(closed.seqs()).toEqual([first.seq]);
        await sentinelSubscription.close();
      });
    });

    it("a throwing listener breaks neither writes nor other listeners; its error is rethrown asynchronously", async () => {
      await withStore(context, async (kv) => {
        const uncaught = captureUncaught();
        try {
          const calls: number[] = [];
          const healthy = new EventLog();
          const broken = await kv.subscribe((event) => {
            calls.push(event.seq);
            throw new Error(`listener bug at seq ${event.seq}`);
          });
          const other = await kv.subscribe(healthy.listener);
          const seqs: number[] = [];
          for (let index = 0; index < 5; index += 1) seqs.push((await kv.batch([{ type: "set", key: "k", value: index }])).seq);
          await healthy.waitFor(seqs[4]!);
          await uncaught.waitForCount(5);
          expect(healthy.seqs()).toEqual(seqs);
          expect(calls).toEqual(seqs);
          expect(uncaught.errors.map((error) => (error as Error).message)).toEqual(seqs.map((seq) => `listener bug at seq ${seq}`));
          expect((await kv.get("k"))?.value).toBe(4);
          await broken.close();
          await other.close();
        } finally {
          uncaught.restore();
        }
      });
    });

    it("event values cannot change the store", async () => {
      await withStore(context, async (kv) => {
        const log = new EventLog();
        const subscription = await kv.subscribe((event) => {
          log.listener(event);
          const op = event.ops[0];
          if (op?.type === "set") {
            try {
              (op.value as { nested: number[] }).nested.push(99);
            } catch {
              // Frozen: as good as a copy.
            }
          }
        });
        const { seq } = await kv.batch([{ type: "set", key: "v", value: { nested: [1] } }]);
        await log.waitFor(seq);
        expect((await kv.get("v"))?.value).toEqual({ nested: [1] });
        await subscription.close();
      });
    });

    it("a listener is never called re-entrantly, even when it writes", async () => {
      await withStore(context, async (kv) => {
        let inside = false;
        let overlaps = 0;
        const log = new EventLog();
        const writes: Array<Promise<unknown>> = [];
        const subscription = await kv.subscribe((event) => {
          if (inside) overlaps += 1;
          inside = true;
          try {
            log.listener(event);
            if (log.events.length <= 10) writes.push(kv.batch([{ type: "set", key: `chain/${log.events.length}`, value: event.seq }]));
          } finally {
            inside = false;
          }
        });
        await kv.batch([{ type: "set", key: "chain/0", value: 0 }]);
        while (writes.length < 10) await Promise.all([...writes, settle(1)]);
        const last = (await Promise.all(writes)) as Array<{ seq: number }>;
        await log.waitFor(Math.max(...last.map(({ seq }) => seq)));
        expect(overlaps).toBe(0);
        const delivered = log.seqs();
        expect([...delivered].sort((a, b) => a - b)).toEqual(delivered);
        await subscription.close();
      });
    });
  });
}
