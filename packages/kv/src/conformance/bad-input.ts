import { describe, expect, it } from "vitest";
import type { KeyValueStore, WriteOp } from "../types.js";
import { KEY_BYTES_MAX, SCAN_LIMIT_MAX } from "../limits.js";
import { EventLog, expectCode, settle, statsOf, withStore, type SuiteContext } from "./helpers.js";

/** Keys that are strings but not valid keys, and why. */
export const INVALID_KEYS: ReadonlyArray<[string, string]> = [
  ["empty", ""],
  ["one byte too long", "k".repeat(KEY_BYTES_MAX + 1)],
  ["too long in multi-byte characters", "é".repeat(KEY_BYTES_MAX / 2) + "x"],
  ["NUL", "a\u0000b"],
  ["newline", "a\nb"],
  ["DEL", "a\u007fb"],
  ["C1 control", "a\u0085b"],
  ["lone high surrogate", "a\ud800"],
  ["lone low surrogate", "\udc00a"],
  ["reversed surrogate pair", "\ude00\ud83d"],
];

class Klass {
  readonly a = 1;
}

function cyclic(): unknown {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

/** Values that are not plain JSON: each is refused with STORE_INVALID_VALUE. */
export const INVALID_VALUES: ReadonlyArray<[string, () => unknown]> = [
  ["undefined", () => undefined],
  ["a function", () => () => 1],
  ["a symbol", () => Symbol("s")],
  ["a BigInt", () => 1n],
  ["NaN", () => Number.NaN],
  ["Infinity", () => Number.POSITIVE_INFINITY],
  ["-Infinity inside an array", () => [1, Number.NEGATIVE_INFINITY]],
  ["a Date", () => new Date(0)],
  ["a Map", () => new Map([["a", 1]])],
  ["a Set", () => new Set([1])],
  ["a class instance", () => new Klass()],
  ["a typed array", () => new Uint8Array(2)],
  ["a cycle", cyclic],
  ["a sparse array", () => [1, , 3]], // eslint-disable-line no-sparse-arrays -- the point
  ["undefined inside an object", () => ({ a: undefined })],
  ["a symbol-keyed object", () => ({ [Symbol("s")]: 1 })],
  ["nested one level too deep", () => nested(65)],
];

/** Malformed batches: each is refused with a TypeError. */
const MALFORMED_BATCHES: ReadonlyArray<[string, unknown]> = [
  ["not an array", { type: "set", key: "k", value: 1 }],
  ["empty", []],
  ["an op that is not an object", ["set k 1"]],
  ["an op that is null", [null]],
  ["an unknown op type", [{ type: "put", key: "k", value: 1 }]],
  ["a missing op type", [{ key: "k", value: 1 }]],
  ["a key that is not a string", [{ type: "set", key: 42, value: 1 }]],
  ["a key twice", [{ type: "set", key: "k", value: 1 }, { type: "delete", key: "k" }]],
  ["only checks", [{ type: "check", key: "k", ifVersion: null }]],
  ["a check without ifVersion", [{ type: "check", key: "c" }, { type: "set", key: "k", value: 1 }]],
  ["ifVersion a string", [{ type: "set", key: "k", value: 1, ifVersion: "1" }]],
  ["ifVersion 0", [{ type: "set", key: "k", value: 1, ifVersion: 0 }]],
  ["ifVersion negative", [{ type: "set", key: "k", value: 1, ifVersion: -1 }]],
  ["ifVersion fractional", [{ type: "set", key: "k", value: 1, ifVersion: 1.5 }]],
  ["ifVersion NaN", [{ type: "delete", key: "k", ifVersion: Number.NaN }]],
  ["a misspelled ifVersion", [{ type: "set", key: "k", value: 1, ifversion: null }]],
  ["a value on a delete", [{ type: "delete", key: "k", value: 1 }]],
];

const BAD_SCAN_OPTIONS: ReadonlyArray<[string, unknown, string]> = [
  ["options not an object", "prefix", "TypeError"],
  ["a prefix that is not a string", { prefix: 1 }, "TypeError"],
  ["a prefix with a control character", { prefix: "a\u0000" }, "STORE_INVALID_KEY"],
  ["an after that is not a string", { after: 1 }, "TypeError"],
  ["an empty after", { after: "" }, "STORE_INVALID_KEY"],
  ["limit 0", { limit: 0 }, "TypeError"],
  ["a negative limit", { limit: -1 }, "TypeError"],
  ["a fractional limit", { limit: 1.5 }, "TypeError"],
  ["a limit that is a string", { limit: "10" }, "TypeError"],
  ["a limit over SCAN_LIMIT_MAX", { limit: SCAN_LIMIT_MAX + 1 }, "STORE_TOO_LARGE"],
  ["reverse not a boolean", { reverse: "yes" }, "TypeError"],
  ["an unknown option", { prefx: "a" }, "TypeError"],
];

/** Runs `body` and checks that the store is unchanged after it: stats, contents, no event. */
async function expectUntouched(kv: KeyValueStore, body: () => Promise<void>): Promise<void> {
  await kv.batch([{ type: "set", key: "existing", value: "before" }]);
  const stats = await statsOf(kv);
  const contents = await kv.scan({ limit: SCAN_LIMIT_MAX });
  const log = new EventLog();
  const subscription = await kv.subscribe(log.listener);
  await body();
  await settle();
  expect(await statsOf(kv)).toEqual(stats);
  expect(await kv.scan({ limit: SCAN_LIMIT_MAX })).toEqual(contents);
  const { seq } = await kv.batch([{ type: "set", key: "probe", value: 1 }]);
  await log.waitFor(seq);
  expect(log.seqs(), "no event for refused input").toEqual([seq]);
  await subscription.close();
}

export function badInputTests(context: SuiteContext): void {
  describe("bad input is refused, writes nothing and burns no seq", () => {
    it("invalid keys: STORE_INVALID_KEY from get, getMany, batch and scan", async () => {
      await withStore(context, async (kv) => {
        await expectUntouched(kv, async () => {
          for (const [why, key] of INVALID_KEYS) {
            await expectCode(() => kv.get(key), "STORE_INVALID_KEY");
            await expectCode(() => kv.getMany(["fine", key]), "STORE_INVALID_KEY");
            const error = await expectCode(() => kv.batch([{ type: "set", key: "fine", value: 1 }, { type: "set", key, value: 1 }]), "STORE_INVALID_KEY");
            expect(error.key, why).toBe(key);
            await expectCode(() => kv.batch([{ type: "delete", key }]), "STORE_INVALID_KEY");
            await expectCode(() => kv.batch([{ type: "check", key, ifVersion: null }, { type: "set", key: "fine", value: 1 }]), "STORE_INVALID_KEY");
            if (key !== "") await expectCode(() => kv.scan({ prefix: key }), "STORE_INVALID_KEY");
            await expectCode(() => kv.scan({ after: key }), "STORE_INVALID_KEY");
          }
        });
      });
    });

    it("keys that are not strings: TypeError", async () => {
      await withStore(context, async (kv) => {
        await expectUntouched(kv, async () => {
          for (const key of [42, null, undefined, {}, ["k"]]) {
            await expectCode(() => kv.get(key as string), "TypeError");
            await expectCode(() => kv.getMany([key as string]), "TypeError");
            await expectCode(() => kv.batch([{ type: "set", key: key as string, value: 1 }]), "TypeError");
          }
          await expectCode(() => kv.getMany("k" as unknown as string[]), "TypeError");
        });
      });
    });

    it("values that are not plain JSON: STORE_INVALID_VALUE naming the key", async () => {
      await withStore(context, async (kv) => {
        await expectUntouched(kv, async () => {
          for (const [why, make] of INVALID_VALUES) {
            const ops = [
              { type: "set", key: "fine", value: 1 },
              { type: "set", key: "bad", value: make() },
            ] as WriteOp[];
            const error = await expectCode(() => kv.batch(ops), "STORE_INVALID_VALUE");
            expect(error.key, why).toBe("bad");
          }
        });
      });
    });

    it("malformed batches: TypeError quoting the input", async () => {
      await withStore(context, async (kv) => {
        await expectUntouched(kv, async () => {
          for (const [why, ops] of MALFORMED_BATCHES) {
            const error = await expectCode(() => kv.batch(ops as WriteOp[]), "TypeError");
            expect(String(error.message).length, why).toBeGreaterThan(0);
          }
        });
      });
    });

    it("bad scan options: TypeError, STORE_INVALID_KEY or STORE_TOO_LARGE", async () => {
      await withStore(context, async (kv) => {
        await expectUntouched(kv, async () => {
          for (const [why, options, code] of BAD_SCAN_OPTIONS) {
            const error = await expectCode(() => kv.scan(options as never), code);
            expect(error, why).toBeDefined();
          }
        });
      });
    });

    it("bad subscribe arguments: TypeError", async () => {
      await withStore(context, async (kv) => {
        await expectUntouched(kv, async () => {
          await expectCode(() => kv.subscribe("listener" as never), "TypeError");
          await expectCode(() => kv.subscribe(() => undefined, { afterSeq: -1 }), "TypeError");
          await expectCode(() => kv.subscribe(() => undefined, { afterSeq: 1.5 }), "TypeError");
          await expectCode(() => kv.subscribe(() => undefined, { aftrSeq: 0 } as never), "TypeError");
        });
      });
    });
  });
}
