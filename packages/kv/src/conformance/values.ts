import { describe, expect, it } from "vitest";
import type { JsonValue } from "@store/fs";
import { withStore, type SuiteContext } from "./helpers.js";

// Values a backend must hand back exactly (deep-equal; object key order is not part of the contract).
const ROUND_TRIP: Record<string, JsonValue> = {
  null: null,
  true: true,
  false: false,
  zero: 0,
  integer: -42,
  fraction: 0.1,
  large: 1e300,
  small: 5e-324,
  safe: Number.MAX_SAFE_INTEGER,
  empty: "",
  text: "plain",
  unicode: "é 中 😀 \u{10FFFF}",
  escapes: 'quote " backslash \\ newline \n tab \t nul \u0000 del \u007f',
  loneSurrogate: "half \ud800 of a pair",
  emptyArray: [],
  emptyObject: {},
  nested: { a: [1, { b: [null, "x", { c: {} }] }], "key with spaces": true, "": "empty key", "😀": 1 },
};

export function valueTests(context: SuiteContext): void {
  describe("values", () => {
    it("every kind of JSON value reads back equal, through get, getMany and scan", async () => {
      await withStore(context, async (kv) => {
        const entries = Object.entries(ROUND_TRIP);
        const { seq } = await kv.batch(entries.map(([name, value]) => ({ type: "set", key: `v/${name}`, value })));
        for (const [name, value] of entries) expect(await kv.get(`v/${name}`), name).toEqual({ key: `v/${name}`, value, version: seq });
        const many = await kv.getMany(entries.map(([name]) => `v/${name}`));
        expect(many.map((entry) => entry?.value)).toEqual(entries.map(([, value]) => value));
        const scanned = new Map((await kv.scan({ prefix: "v/" })).map((entry) => [entry.key, entry.value]));
        for (const [name, value] of entries) expect(scanned.get(`v/${name}`), name).toEqual(value);
      });
    });

    it("values are copied on write: changing the object after batch() changes nothing", async () => {
      await withStore(context, async (kv) => {
        const value = { list: [1, 2], inner: { n: 1 } };
        const write = kv.batch([{ type: "set", key: "k", value }]);
        value.list.push(3);
        value.inner.n = 2;
        await write;
        value.list.push(4);
        expect((await kv.get("k"))?.value).toEqual({ list: [1, 2], inner: { n: 1 } });
      });
    });

    it("reads cannot change the store: values are frozen or copies", async () => {
      await withStore(context, async (kv) => {
        await kv.batch([{ type: "set", key: "k", value: { list: [1], inner: { n: 1 } } }]);
        const tamper = (value: unknown): void => {
          try {
            (value as { list: number[] }).list.push(2);
          } catch {
            // Frozen: as good as a copy.
          }
          try {
            (value as { inner: { n: number } }).inner.n = 2;
          } catch {
            // Frozen.
          }
        };
        tamper((await kv.get("k"))?.value);
        tamper((await kv.getMany(["k"]))[0]?.value);
        tamper((await kv.scan())[0]?.value);
        expect((await kv.get("k"))?.value).toEqual({ list: [1], inner: { n: 1 } });
        expect((await kv.scan())[0]?.value).toEqual({ list: [1], inner: { n: 1 } });
      });
    });
  });
}
