import { describe, expect, it } from "vitest";
import type { JsonValue } from "@store/fs";
import type { ChangeOp } from "../types.js";
import { update } from "../update.js";
import { EventLog, withStore, type SuiteContext } from "./helpers.js";

export function concurrencyTests(context: SuiteContext): void {
  describe("concurrency", () => {
    // Each conflict of a writer means another writer committed after its read, and each of the
    // other 31 commits once: no writer can need more than 32 attempts. So with attemptsMax 32 this
    // terminates with the exact count on any backend that keeps the rules, however it is scheduled.
    it("update(): 32 concurrent incrementers of one key end with the exact count", async () => {
      await withStore(context, async (kv) => {
        const writers = 32;
        const results = await Promise.all(
          Array.from({ length: writers }, (_, index) =>
            update(
              kv,
              ["counter"],
              (entries) => {
                const count = (entries.get("counter")?.value as number | undefined) ?? 0;
                return { ops: [{ type: "set", key: "counter", value: count + 1 }], result: { index, count: count + 1 } };
              },
              { attemptsMax: writers },
            ),
          ),
        );
        const entry = await kv.get("counter");
        expect(entry?.value).toBe(writers);
        expect(results.map(({ result }) => result.count).sort((a, b) => a - b)).toEqual(Array.from({ length: writers }, (_, index) => index + 1));
        const seqs = results.map(({ seq }) => seq!);
        expect(new Set(seqs).size).toBe(writers);
        expect(entry?.version).toBe(Math.max(...seqs));
      });
    });

    it("update(): concurrent transfers between keys conserve the total", async () => {
      await withStore(context, async (kv) => {
        const accounts = ["acct/a", "acct/b", "acct/c", "acct/d"];
        await kv.batch(accounts.map((key) => ({ type: "set", key, value: 100 })));
        const transfers = Array.from({ length: 24 }, (_, index) => {
          const from = accounts[index % accounts.length]!;
          const to = accounts[(index * 3 + 1) % accounts.length]!;
          return update(
            kv,
            [from, to],
            (entries) => {
              if (from === to) return { ops: [], result: 0 };
              const fromBalance = entries.get(from)?.value as number;
              const toBalance = entries.get(to)?.value as number;
              const amount = Math.min(fromBalance, 7);
              return {
                ops: [
                  { type: "set", key: from, value: fromBalance - amount },
                  { type: "set", key: to, value: toBalance + amount },
                ],
                result: amount,
              };
            },
            { attemptsMax: 24 },
          );
        });
        await Promise.all(transfers);
        const balances = (await kv.getMany(accounts)).map((entry) => entry?.value as number);
        expect(balances.reduce((sum, balance) => sum + balance, 0)).toBe(400);
        for (const balance of balances) expect(balance).toBeGreaterThanOrEqual(0);
      });
    });

    it("64 concurrent writers: a subscriber gets every batch once, in seq order, with all its operations", async () => {
      await withStore(context, async (kv) => {
        const log = new EventLog();
        const subscription = await kv.subscribe(log.listener);
        const batches = Array.from({ length: 64 }, (_, index): ChangeOp[] => [
          { type: "set", key: `writer/${index}`, value: { index, tags: ["a", index] } as JsonValue },
          { type: "set", key: `audit/${index}`, value: index },
          { type: "delete", key: `gone/${index}` },
        ]);
        const results = await Promise.all(batches.map((ops) => kv.batch(ops)));
        const seqs = results.map(({ seq }) => seq);
        expect(new Set(seqs).size).toBe(64);
        await log.waitFor(Math.max(...seqs));
        const delivered = log.seqs();
        expect(delivered).toEqual([...seqs].sort((a, b) => a - b));
        for (const [index, { seq }] of results.entries()) {
          expect(log.events.find((event) => event.seq === seq)?.ops).toEqual(batches[index]);
        }
        await subscription.close();
      });
    });
  });
}
