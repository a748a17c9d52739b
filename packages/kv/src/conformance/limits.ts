import { describe, expect, it } from "vitest";
import { BATCH_BYTES_MAX, BATCH_OPS_MAX, GET_MANY_KEYS_MAX, KEY_BYTES_MAX, SCAN_LIMIT_MAX, VALUE_DEPTH_MAX } from "../limits.js";
import type { JsonValue } from "@store/fs";
import type { WriteOp } from "../types.js";
import { expectCode, numberedKeys, statsOf, withStore, type SuiteContext } from "./helpers.js";

function nested(depth: number): JsonValue {
  let value: JsonValue = 1;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

export function limitTests(context: SuiteContext): void {
  describe("limits: accepted at the boundary, refused above", () => {
    it(`keys of exactly KEY_BYTES_MAX (${KEY_BYTES_MAX}) UTF-8 bytes`, async () => {
      await withStore(context, async (kv) => {
        const keys = ["k".repeat(KEY_BYTES_MAX), "é".repeat(KEY_BYTES_MAX / 2), "😀".repeat(KEY_BYTES_MAX / 4)];
        const { seq } = await kv.batch(keys.map((key) => ({ type: "set", key, value: key.length })));
        for (const key of keys) expect((await kv.get(key))?.version).toBe(seq);
        expect((await kv.scan({ prefix: keys[0]! })).map((entry) => entry.key)).toEqual([keys[0]]);
        const before = await statsOf(kv);
        for (const key of ["k".repeat(KEY_BYTES_MAX + 1), "é".repeat(KEY_BYTES_MAX / 2) + "k", "😀".repeat(KEY_BYTES_MAX / 4) + "k"]) {
          await expectCode(() => kv.batch([{ type: "set", key, value: 1 }]), "STORE_INVALID_KEY");
        }
        expect(await statsOf(kv)).toEqual(before);
      });
    });

    it(`values nested VALUE_DEPTH_MAX (${VALUE_DEPTH_MAX}) deep`, async () => {
      await withStore(context, async (kv) => {
        await kv.batch([{ type: "set", key: "deep", value: nested(VALUE_DEPTH_MAX) }]);
        expect((await kv.get("deep"))?.value).toEqual(nested(VALUE_DEPTH_MAX));
        const before = await statsOf(kv);
        await expectCode(() => kv.batch([{ type: "set", key: "deeper", value: nested(VALUE_DEPTH_MAX + 1) }]), "STORE_INVALID_VALUE");
        expect(await statsOf(kv)).toEqual(before);
      });
    });

    it(`batches of BATCH_OPS_MAX (${BATCH_OPS_MAX}) operations`, async () => {
      await withStore(context, async (kv) => {
        const keys = numberedKeys("op/", BATCH_OPS_MAX + 1);
        const ops: WriteOp[] = keys.map((key, index) => (index % 10 === 9 ? { type: "check", key, ifVersion: null } : { type: "set", key, value: index }));
        const before = await statsOf(kv);
        await expectCode(() => kv.batch(ops), "STORE_TOO_LARGE");
        expect(await statsOf(kv)).toEqual(before);
        const { seq } = await kv.batch(ops.slice(0, BATCH_OPS_MAX));
        expect(await statsOf(kv)).toEqual({ seq, keys: BATCH_OPS_MAX - BATCH_OPS_MAX / 10 });
      });
    });

    it(`batches of BATCH_BYTES_MAX (${BATCH_BYTES_MAX}) bytes of keys and JSON values`, async () => {
      await withStore(context, async (kv) => {
        // One key "big" (3 bytes) and a JSON string: its text is the characters plus two quotes.
        const fits = "x".repeat(BATCH_BYTES_MAX - 3 - 2);
        const before = await statsOf(kv);
        await expectCode(() => kv.batch([{ type: "set", key: "big", value: `${fits}x` }]), "STORE_TOO_LARGE");
        await expectCode(
          () =>
            kv.batch([
              { type: "set", key: "big", value: fits },
              { type: "delete", key: "z" },
            ]),
          "STORE_TOO_LARGE",
        );
        expect(await statsOf(kv)).toEqual(before);
        await kv.batch([{ type: "set", key: "big", value: fits }]);
        expect(((await kv.get("big"))?.value as string).length).toBe(fits.length);
        // Multi-byte: "é" is 2 UTF-8 bytes (one UTF-16 unit). Two ops of exactly half each: a 2-byte
        // key, plus the quotes and the characters of the value.
        const half = "é".repeat((BATCH_BYTES_MAX / 2 - 2 - 2) / 2);
        await kv.batch([
          { type: "set", key: "ab", value: half },
          { type: "set", key: "cd", value: half },
        ]);
        await expectCode(
          () =>
            kv.batch([
              { type: "set", key: "ab", value: half },
              { type: "set", key: "cde", value: half },
            ]),
          "STORE_TOO_LARGE",
        );
      });
    });

    it("a batch of BATCH_BYTES_MAX bytes of keys that JSON escapes (quotes, backslashes) is accepted", async () => {
      await withStore(context, async (kv) => {
        // A backend that frames keys as JSON strings doubles these: its own limit must allow for it.
        const count = BATCH_BYTES_MAX / KEY_BYTES_MAX;
        const keys = Array.from({ length: count }, (_, index) => (index % 2 === 0 ? '"' : "\\").repeat(KEY_BYTES_MAX - 4) + String(index).padStart(4, "0"));
        await kv.batch(keys.map((key) => ({ type: "delete", key })));
        const before = await statsOf(kv);
        // The same keys, one of them set to "" (two more bytes): over the limit.
        await expectCode(() => kv.batch([{ type: "set", key: keys[0]!, value: "" }, ...keys.slice(1).map((key) => ({ type: "delete" as const, key }))]), "STORE_TOO_LARGE");
        expect(await statsOf(kv)).toEqual(before);
      });
    });

    it(`getMany of GET_MANY_KEYS_MAX (${GET_MANY_KEYS_MAX}) keys`, async () => {
      await withStore(context, async (kv) => {
        const keys = numberedKeys("g/", GET_MANY_KEYS_MAX + 1);
        expect(await kv.getMany(keys.slice(0, GET_MANY_KEYS_MAX))).toHaveLength(GET_MANY_KEYS_MAX);
        await expectCode(() => kv.getMany(keys), "STORE_TOO_LARGE");
      });
    });

    it(`scan limit SCAN_LIMIT_MAX (${SCAN_LIMIT_MAX})`, async () => {
      await withStore(context, async (kv) => {
        expect(await kv.scan({ limit: SCAN_LIMIT_MAX })).toEqual([]);
        await expectCode(() => kv.scan({ limit: SCAN_LIMIT_MAX + 1 }), "STORE_TOO_LARGE");
      });
    });
  });
}
