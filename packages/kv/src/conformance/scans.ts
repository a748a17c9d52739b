import { describe, expect, it } from "vitest";
import { SCAN_LIMIT_DEFAULT, SCAN_LIMIT_MAX } from "../limits.js";
import { scanAll } from "../scan-all.js";
import type { Entry, KeyValueStore } from "../types.js";
import { fill, numberedKeys, withStore, type SuiteContext } from "./helpers.js";

// Keys whose UTF-16 code-unit order differs from their code-point (and UTF-8 byte) order: an astral
// character (surrogates D800-DFFF) sorts before U+E000-U+FFFF by code units, after them by code points.
const ORDER_KEYS = ["a", "B", "b", "ab", "a/", "a/b", "é", "ü", "Ω", "中", "\uE000", "\uFFFD", "😀", "😀x", "𝄞", "~", " ", "0", "z\u00A0"];

function keysOf(entries: readonly Entry[]): string[] {
  return entries.map((entry) => entry.key);
}

async function pageThrough(kv: KeyValueStore, prefix: string, limit: number, reverse: boolean): Promise<string[]> {
  const seen: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await kv.scan({ prefix, limit, reverse, ...(after === undefined ? {} : { after }) });
    expect(page.length).toBeLessThanOrEqual(limit);
    seen.push(...keysOf(page));
    if (page.length < limit) return seen;
    after = page[page.length - 1]!.key;
  }
}

export function scanTests(context: SuiteContext): void {
  describe("scans", () => {
    it("returns keys in UTF-16 code-unit order, non-ASCII and astral characters included", async () => {
      await withStore(context, async (kv) => {
        await kv.batch(ORDER_KEYS.map((key) => ({ type: "set", key, value: key })));
        const expected = [...ORDER_KEYS].sort();
        expect(keysOf(await kv.scan())).toEqual(expected);
        expect(keysOf(await kv.scan({ reverse: true }))).toEqual([...expected].reverse());
        for (const entry of await kv.scan()) expect(entry.value).toBe(entry.key);
      });
    });

    it("a prefix selects exactly the keys that start with it, in order; the empty prefix selects all", async () => {
      await withStore(context, async (kv) => {
        await kv.batch(ORDER_KEYS.map((key) => ({ type: "set", key, value: 1 })));
        for (const prefix of ["a", "a/", "😀", "\uE000", "é", "nothing", ""]) {
          const expected = ORDER_KEYS.filter((key) => key.startsWith(prefix)).sort();
          expect(keysOf(await kv.scan({ prefix })), `prefix ${JSON.stringify(prefix)}`).toEqual(expected);
          expect(keysOf(await kv.scan({ prefix, reverse: true })), `prefix ${JSON.stringify(prefix)} reversed`).toEqual([...expected].reverse());
        }
      });
    });

    it("after starts strictly after a key, in the scan's direction, whether or not that key exists", async () => {
      await withStore(context, async (kv) => {
        await kv.batch(["p/1", "p/3", "p/5", "p/7", "q/1"].map((key) => ({ type: "set", key, value: 1 })));
        expect(keysOf(await kv.scan({ prefix: "p/", after: "p/3" }))).toEqual(["p/5", "p/7"]);
        expect(keysOf(await kv.scan({ prefix: "p/", after: "p/4" }))).toEqual(["p/5", "p/7"]);
        expect(keysOf(await kv.scan({ prefix: "p/", after: "p/3", reverse: true }))).toEqual(["p/1"]);
        expect(keysOf(await kv.scan({ prefix: "p/", after: "p/4", reverse: true }))).toEqual(["p/3", "p/1"]);
        expect(keysOf(await kv.scan({ prefix: "p/", after: "p/7" }))).toEqual([]);
        expect(keysOf(await kv.scan({ prefix: "p/", after: "a" }))).toEqual(["p/1", "p/3", "p/5", "p/7"]);
        expect(keysOf(await kv.scan({ prefix: "p/", after: "z", reverse: true }))).toEqual(["p/7", "p/5", "p/3", "p/1"]);
        expect(keysOf(await kv.scan({ after: "p/7" }))).toEqual(["q/1"]);
      });
    });

    it("limit caps a page; without it a page holds SCAN_LIMIT_DEFAULT entries; SCAN_LIMIT_MAX is accepted", async () => {
      await withStore(context, async (kv) => {
        const keys = numberedKeys("k/", SCAN_LIMIT_DEFAULT + 50);
        await fill(kv, keys);
        expect(keysOf(await kv.scan())).toEqual(keys.slice(0, SCAN_LIMIT_DEFAULT));
        expect(keysOf(await kv.scan({ limit: 3 }))).toEqual(keys.slice(0, 3));
        expect(keysOf(await kv.scan({ limit: 3, reverse: true }))).toEqual(keys.slice(-3).reverse());
        expect(keysOf(await kv.scan({ limit: 1 }))).toEqual(keys.slice(0, 1));
        expect(keysOf(await kv.scan({ limit: SCAN_LIMIT_MAX }))).toEqual(keys);
      });
    });

    it("entries carry their value and version", async () => {
      await withStore(context, async (kv) => {
        const first = await kv.batch([{ type: "set", key: "e/1", value: { a: 1 } }]);
        const second = await kv.batch([{ type: "set", key: "e/2", value: [true, null] }]);
        expect(await kv.scan({ prefix: "e/" })).toEqual([
          { key: "e/1", value: { a: 1 }, version: first.seq },
          { key: "e/2", value: [true, null], version: second.seq },
        ]);
      });
    });

    it("paging with after through 1,234 keys returns each key exactly once, in both directions", async () => {
      await withStore(context, async (kv) => {
        const keys = numberedKeys("page/", 1234);
        await fill(kv, [...keys, "pagf", "pag", "other/1"]);
        expect(await pageThrough(kv, "page/", 100, false)).toEqual(keys);
        expect(await pageThrough(kv, "page/", 97, true)).toEqual([...keys].reverse());
        expect(await pageThrough(kv, "page/", 1234, false)).toEqual(keys);
        const viaScanAll: string[] = [];
        for await (const entry of scanAll(kv, { prefix: "page/", pageSize: 10 })) viaScanAll.push(entry.key);
        expect(viaScanAll).toEqual(keys);
      });
    });

    it("a page is read at one point: a batch is never seen half applied", async () => {
      await withStore(context, async (kv) => {
        const keys = numberedKeys("snap/", 20);
        await fill(kv, keys);
        const work: Array<Promise<unknown>> = [];
        for (let round = 1; round <= 100; round += 1) {
          work.push(kv.batch(keys.map((key) => ({ type: "set", key, value: round }))));
          work.push(
            kv.scan({ prefix: "snap/", reverse: round % 2 === 0 }).then((page) => {
              expect(page).toHaveLength(keys.length);
              expect(new Set(page.map((entry) => entry.version)).size, "one version per page").toBe(1);
            }),
          );
        }
        await Promise.all(work);
      });
    });

    it("deleted keys leave scans at once", async () => {
      await withStore(context, async (kv) => {
        await kv.batch(["d/1", "d/2", "d/3"].map((key) => ({ type: "set", key, value: 1 })));
        await kv.batch([{ type: "delete", key: "d/2" }]);
        expect(keysOf(await kv.scan({ prefix: "d/" }))).toEqual(["d/1", "d/3"]);
        await kv.batch([{ type: "delete", key: "d/1" }, { type: "delete", key: "d/3" }]);
        expect(await kv.scan({ prefix: "d/" })).toEqual([]);
        expect(await kv.scan()).toEqual([]);
      });
    });
  });
}
