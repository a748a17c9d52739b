import { describe, expect, it } from "vitest";
import { withStore, type SuiteContext } from "./helpers.js";

export function readTests(context: SuiteContext): void {
  describe("reads and versions", () => {
    it("a missing key reads as undefined", async () => {
      await withStore(context, async (kv) => {
        expect(await kv.get("missing")).toBeUndefined();
        await kv.batch([{ type: "set", key: "other", value: 1 }]);
        expect(await kv.get("missing")).toBeUndefined();
      });
    });

    it("get returns the key, its value and its version, the seq of the batch that set it", async () => {
      await withStore(context, async (kv) => {
        const { seq } = await kv.batch([{ type: "set", key: "players/1", value: { name: "Ada", tokens: 10 } }]);
        expect(await kv.get("players/1")).toEqual({ key: "players/1", value: { name: "Ada", tokens: 10 }, version: seq });
      });
    });

    it("seqs increase strictly and every key of a batch gets the batch's seq as its version", async () => {
      await withStore(context, async (kv) => {
        const seqs: number[] = [];
        for (let round = 0; round < 20; round += 1) {
          const { seq } = await kv.batch([
            { type: "set", key: "a", value: round },
            { type: "set", key: `b/${round}`, value: round },
          ]);
          seqs.push(seq);
          const [a, b] = await kv.getMany(["a", `b/${round}`]);
          expect(a?.version).toBe(seq);
          expect(b?.version).toBe(seq);
        }
        for (let index = 1; index < seqs.length; index += 1) expect(seqs[index]).toBeGreaterThan(seqs[index - 1]!);
        expect(seqs[0]).toBeGreaterThan(0);
        expect((await kv.get("b/0"))?.version).toBe(seqs[0]);
      });
    });

    it("a key deleted and set again gets a new, higher version", async () => {
      await withStore(context, async (kv) => {
        const first = await kv.batch([{ type: "set", key: "k", value: 1 }]);
        await kv.batch([{ type: "delete", key: "k" }]);
        expect(await kv.get("k")).toBeUndefined();
        const again = await kv.batch([{ type: "set", key: "k", value: 1 }]);
        expect((await kv.get("k"))?.version).toBe(again.seq);
        expect(again.seq).toBeGreaterThan(first.seq);
      });
    });

    it("deleting a missing key commits a batch like any other", async () => {
      await withStore(context, async (kv) => {
        const before = await kv.stats();
        const { seq } = await kv.batch([{ type: "delete", key: "never-set" }]);
        expect(seq).toBeGreaterThan(before.seq);
        expect((await kv.stats()).seq).toBe(seq);
        expect(await kv.get("never-set")).toBeUndefined();
      });
    });

    it("getMany returns entries in the order of the keys, undefined where missing, repeats allowed", async () => {
      await withStore(context, async (kv) => {
        const { seq } = await kv.batch([
          { type: "set", key: "x", value: "X" },
          { type: "set", key: "y", value: "Y" },
        ]);
        const entries = await kv.getMany(["y", "missing", "x", "y"]);
        expect(entries).toEqual([
          { key: "y", value: "Y", version: seq },
          undefined,
          { key: "x", value: "X", version: seq },
          { key: "y", value: "Y", version: seq },
        ]);
        expect(await kv.getMany([])).toEqual([]);
      });
    });

    it("getMany reads all its keys at one point: a batch is never seen half applied", async () => {
      await withStore(context, async (kv) => {
        const keys = ["pair/a", "pair/b", "pair/c"];
        await kv.batch(keys.map((key) => ({ type: "set", key, value: 0 })));
        const reads: Array<Promise<unknown>> = [];
        const writes: Array<Promise<unknown>> = [];
        for (let round = 1; round <= 200; round += 1) {
          writes.push(kv.batch(keys.map((key) => ({ type: "set", key, value: round }))));
          reads.push(
            kv.getMany(keys).then((entries) => {
              const values = new Set(entries.map((entry) => entry?.value));
              const versions = new Set(entries.map((entry) => entry?.version));
              expect(values.size, "values of one batch read together").toBe(1);
              expect(versions.size, "versions of one batch read together").toBe(1);
            }),
          );
        }
        await Promise.all([...writes, ...reads]);
      });
    });

    it("reads see every acknowledged write", async () => {
      await withStore(context, async (kv) => {
        for (let round = 0; round < 50; round += 1) {
          const { seq } = await kv.batch([{ type: "set", key: `k${round % 5}`, value: round }]);
          expect(await kv.get(`k${round % 5}`)).toEqual({ key: `k${round % 5}`, value: round, version: seq });
        }
      });
    });
  });
}
