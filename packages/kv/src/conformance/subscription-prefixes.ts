import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KEY_BYTES_MAX, SUBSCRIBE_PREFIXES_MAX } from "../limits.js";
import type { ChangeEvent, ChangeOp, WriteOp } from "../types.js";
import { EventLog, expectCode, settle, withStore, type SuiteContext } from "./helpers.js";

const set = (key: string, value: number): WriteOp => ({ type: "set", key, value });

/** The test's own filter, written apart from any backend's: the ops under one of `prefixes`, events with none dropped. */
function expectedStream(events: readonly ChangeEvent[], prefixes: readonly string[]): Array<{ seq: number; ops: ChangeOp[] }> {
  return events
    .map((event) => ({ seq: event.seq, ops: event.ops.filter((op) => prefixes.some((prefix) => op.key.startsWith(prefix))) }))
    .filter((event) => event.ops.length > 0);
}

export function subscriptionPrefixTests(context: SuiteContext): void {
  describe("subscriptions with prefixes", () => {
    it("delivers only the ops whose key starts with a prefix, in batch order, with the batch's seq", async () => {
      await withStore(context, async (kv) => {
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener, { prefixes: ["players/", "games/"] });
        const { seq } = await kv.batch([set("tokens/1", 1), set("players/1", 2), { type: "delete", key: "supply" }, set("games/9", 3), set("player", 4)]);
        await log.waitFor(seq);
        expect(log.events).toEqual([
          {
            seq,
            ops: [
              { type: "set", key: "players/1", value: 2 },
              { type: "set", key: "games/9", value: 3 },
            ],
          },
        ]);
        await subscription.close();
      });
    });

    it("an event none of whose ops match is not delivered at all", async () => {
      await withStore(context, async (kv) => {
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener, { prefixes: ["players/"] });
        await kv.batch([set("tokens/1", 1), set("idem/a", 1)]);
        await kv.batch([{ type: "delete", key: "tokens/1" }]);
        const { seq } = await kv.batch([{ type: "delete", key: "players/1" }]);
        await log.waitFor(seq);
        await settle();
        expect(log.events).toEqual([{ seq, ops: [{ type: "delete", key: "players/1" }] }]);
        await subscription.close();
      });
    });

    it("resuming with afterSeq and prefixes delivers exactly the matching missed ops, then new ones", async () => {
      await withStore(context, async (kv) => {
        const written: ChangeEvent[] = [];
        for (let index = 0; index < 12; index += 1) {
          const ops = [set(`${["a/", "b/", "c/"][index % 3]!}${index}`, index), ...(index % 4 === 0 ? [set(`a/x${index}`, -index)] : [])];
          written.push({ seq: (await kv.batch(ops)).seq, ops: ops as ChangeOp[] });
        }
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener, { afterSeq: written[3]!.seq, prefixes: ["a/", "c/"] });
        expect(subscription.afterSeq).toBe(written[3]!.seq);
        const ops = [set("b/late", 1), set("c/late", 2)];
        written.push({ seq: (await kv.batch(ops)).seq, ops: ops as ChangeOp[] });
        await log.waitFor(written[written.length - 1]!.seq);
        expect(log.events).toEqual(expectedStream(written.slice(4), ["a/", "c/"]));
        await subscription.close();
      });
    });

    it("overlapping prefixes deliver an op once; several prefixes each select their keys", async () => {
      await withStore(context, async (kv) => {
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener, { prefixes: ["a/b", "a", "a/", "a/b", "z/"] });
        const { seq } = await kv.batch([set("a/b/c", 1), set("b", 2), set("z/1", 3), set("ab", 4)]);
        await log.waitFor(seq);
        expect(log.events).toEqual([{ seq, ops: [set("a/b/c", 1), set("z/1", 3), set("ab", 4)] }]);
        await subscription.close();
      });
    });

    it('the prefix "" delivers every op', async () => {
      await withStore(context, async (kv) => {
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener, { prefixes: ["x/", ""] });
        const { seq } = await kv.batch([set("a", 1), set("x/1", 2)]);
        await log.waitFor(seq);
        expect(log.events).toEqual([{ seq, ops: [set("a", 1), set("x/1", 2)] }]);
        await subscription.close();
      });
    });

    it("bad prefixes are refused: TypeError, STORE_INVALID_KEY or STORE_TOO_LARGE", async () => {
      await withStore(context, async (kv) => {
        const listener = (): void => undefined;
        await expectCode(() => kv.subscribe(listener, { prefixes: [] }), "TypeError");
        await expectCode(() => kv.subscribe(listener, { prefixes: "players/" as never }), "TypeError");
        await expectCode(() => kv.subscribe(listener, { prefixes: ["a", 1] as never }), "TypeError");
        await expectCode(() => kv.subscribe(listener, { prefixes: [undefined] as never }), "TypeError");
        await expectCode(() => kv.subscribe(listener, { prefixes: ["a\u0000b"] }), "STORE_INVALID_KEY");
        await expectCode(() => kv.subscribe(listener, { prefixes: ["\uD800"] }), "STORE_INVALID_KEY");
        await expectCode(() => kv.subscribe(listener, { prefixes: ["k".repeat(KEY_BYTES_MAX + 1)] }), "STORE_INVALID_KEY");
        const many = Array.from({ length: SUBSCRIBE_PREFIXES_MAX + 1 }, (_, index) => `p${index}/`);
        await expectCode(() => kv.subscribe(listener, { prefixes: many }), "STORE_TOO_LARGE");
        // Everything within the limits is accepted.
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener, { prefixes: [...many.slice(2), "k".repeat(KEY_BYTES_MAX)] });
        const { seq } = await kv.batch([set("p2/x", 1), set("p0/x", 2)]);
        await log.waitFor(seq);
        expect(log.events).toEqual([{ seq, ops: [set("p2/x", 1)] }]);
        await subscription.close();
      });
    });

    it("caughtUp() after writes the filter matches none of resolves with a seq at or above theirs, and nothing is delivered", async () => {
      await withStore(context, async (kv) => {
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener, { prefixes: ["players/"] });
        let seq = 0;
        for (let index = 0; index < 5; index += 1) ({ seq } = await kv.batch([set(`tokens/${index}`, index)]));
        expect(await subscription.caughtUp()).toBeGreaterThanOrEqual(seq);
        expect(log.events).toEqual([]);
        await subscription.close();
      });
    });

    it("caughtUp() resolves only after the events of every acknowledged write were delivered", async () => {
      await withStore(context, async (kv) => {
        const log = new EventLog();
        const quiet = await kv.subscribe(() => undefined);
        expect(await quiet.caughtUp()).toBeGreaterThanOrEqual(0);
        const subscription = await kv.subscribe(log.listener, { prefixes: ["a/"] });
        const results = await Promise.all(Array.from({ length: 20 }, (_, index) => kv.batch([set(`${index % 2 === 0 ? "a" : "b"}/${index}`, index)])));
        const caughtUp = await subscription.caughtUp();
        const seqs = results.map(({ seq }) => seq);
        expect(caughtUp).toBeGreaterThanOrEqual(Math.max(...seqs));
        const matching = results.filter((_, index) => index % 2 === 0).map(({ seq }) => seq);
        expect(log.seqs()).toEqual([...matching].sort((a, b) => a - b));
        expect(await quiet.caughtUp()).toBeGreaterThanOrEqual(Math.max(...seqs));
        await quiet.close();
        await subscription.close();
      });
    });

    it("caughtUp() on a closed subscription rejects with STORE_CLOSED", async () => {
      await withStore(context, async (kv) => {
        const subscription = await kv.subscribe(() => undefined, { prefixes: ["a/"] });
        await subscription.close();
        await expectCode(() => subscription.caughtUp(), "STORE_CLOSED");
      });
      const kv = await context.open();
      const subscription = await kv.subscribe(() => undefined);
      await kv.close();
      await expectCode(() => subscription.caughtUp(), "STORE_CLOSED");
    });

    it("property: the filtered stream is the unfiltered stream filtered, for random batches and prefix sets", async () => {
      const keys = ["p/1", "p/2", "pa", "q", "q/1", "q/é", "é/1", "😀/1", "\uE000"];
      const prefixPool = ["p", "p/", "p/1", "q/", "q", "é", "😀", "z/", "\uE000", "pa"];
      const batchArbitrary = fc.uniqueArray(fc.record({ key: fc.constantFrom(...keys), del: fc.boolean(), value: fc.integer() }), {
        minLength: 1,
        maxLength: 5,
        selector: (op) => op.key,
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(batchArbitrary, { minLength: 1, maxLength: 12 }),
          fc.uniqueArray(fc.constantFrom(...prefixPool), { minLength: 1, maxLength: 4 }),
          fc.nat({ max: 12 }),
          async (batches, prefixes, resumeIndex) => {
            await withStore(context, async (kv) => {
              const all = new EventLog();
              const everything = await kv.subscribe(all.listener);
              const seqs: number[] = [];
              for (const ops of batches) {
                seqs.push((await kv.batch(ops.map((op): WriteOp => (op.del ? { type: "delete", key: op.key } : set(op.key, op.value))))).seq);
              }
              const afterSeq = resumeIndex === 0 ? 0 : (seqs[Math.min(resumeIndex, seqs.length) - 1] ?? 0);
              const filtered = new EventLog();
              const subscription = await kv.subscribe(filtered.listener, { afterSeq, prefixes });
              const last = (await kv.batch([set("p/1", -1), set("q", -2)])).seq;
              expect(await subscription.caughtUp()).toBeGreaterThanOrEqual(last);
              await all.waitFor(last);
              expect(filtered.events).toEqual(expectedStream(all.events.filter((event) => event.seq > afterSeq), prefixes));
              await subscription.close();
              await everything.close();
            });
          },
        ),
        { numRuns: context.propertyRuns },
      );
    });
  });
}
