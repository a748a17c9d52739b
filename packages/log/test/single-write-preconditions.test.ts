import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openStore, toKeyValueStore, type WriteOptions } from "../src/index.js";
import { folderBytes } from "@store/testkit";
import { tempDir } from "./helpers.js";

/** Each file's sha256, by path: a failed comparison names the file without printing its bytes. */
async function folderDigest(dir: string): Promise<Map<string, string>> {
  return new Map([...(await folderBytes(dir))].map(([path, bytes]) => [path, createHash("sha256").update(bytes).digest("hex")]));
}

/** What a write did: its seq, or the code it was refused with. */
async function outcome(write: Promise<{ seq: number }>): Promise<number | string> {
  try {
    return (await write).seq;
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

describe("ifVersion on a single set or delete", () => {
  it("set with ifVersion null creates a key once; the second is STORE_CONFLICT, writes nothing and burns no seq", async () => {
    const store = await openStore(await tempDir());
    expect(await store.set("players/1", { name: "Ada" }, { ifVersion: null })).toEqual({ seq: 1 });
    await expect(store.set("players/1", { name: "Bo" }, { ifVersion: null })).rejects.toMatchObject({ code: "STORE_CONFLICT", key: "players/1" });
    expect(store.getEntry("players/1")).toEqual({ value: { name: "Ada" }, version: 1 });
    expect(await store.set("other", 1)).toEqual({ seq: 2 });
    await store.close();
  });

  it("set with the version read succeeds; with a stale version it is STORE_CONFLICT", async () => {
    const store = await openStore(await tempDir());
    const { seq: first } = await store.set("k", 1);
    const { seq: second } = await store.set("k", 2, { ifVersion: first });
    await expect(store.set("k", 3, { ifVersion: first })).rejects.toMatchObject({ code: "STORE_CONFLICT", key: "k" });
    expect(store.getEntry("k")).toEqual({ value: 2, version: second });
    await store.close();
  });

  it("delete with a stale version keeps the key; with its version it deletes; ifVersion null on a missing key passes", async () => {
    const store = await openStore(await tempDir());
    const { seq: first } = await store.set("k", 1);
    const { seq: second } = await store.set("k", 2);
    await expect(store.delete("k", { ifVersion: first })).rejects.toMatchObject({ code: "STORE_CONFLICT", key: "k" });
    await expect(store.delete("k", { ifVersion: null })).rejects.toMatchObject({ code: "STORE_CONFLICT", key: "k" });
    expect(store.get("k")).toBe(2);
    await store.delete("k", { ifVersion: second });
    expect(store.has("k")).toBe(false);
    // As in a batch: "must not exist" holds for a missing key, and deleting it writes a tombstone.
    await expect(store.delete("k", { ifVersion: null })).resolves.toEqual({ seq: 4 });
    await store.close();
  });

  it("64 racing creates of one key with ifVersion null: exactly one wins, the others conflict", async () => {
    const store = await openStore(await tempDir());
    const results = await Promise.all(Array.from({ length: 64 }, (_, index) => outcome(store.set("lobby", { owner: index }, { ifVersion: null }))));
    const winners = results.flatMap((result, index) => (typeof result === "number" ? [index] : []));
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => result === "STORE_CONFLICT")).toHaveLength(63);
    expect(store.get("lobby")).toEqual({ owner: winners[0] });
    expect(store.seq).toBe(1);
    await store.close();
  });

  it("16 workers incrementing one counter with getEntry and set ifVersion, retrying on conflict, lose no increment", async () => {
    const store = await openStore(await tempDir());
    const increment = async (): Promise<void> => {
      for (;;) {
        const entry = store.getEntry("counter");
        try {
          await store.set("counter", ((entry?.value as number | undefined) ?? 0) + 1, { ifVersion: entry?.version ?? null });
          return;
        } catch (error) {
          if ((error as { code?: unknown }).code !== "STORE_CONFLICT") throw error;
        }
      }
    };
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let index = 0; index < 25; index += 1) await increment();
      }),
    );
    expect(store.get("counter")).toBe(400);
    await store.close();
    const reopened = await openStore(store.dir);
    expect(reopened.get("counter")).toBe(400);
    await reopened.close();
  });

  it("a condition on a key with a write in flight is checked once that write is durable", async () => {
    const store = await openStore(await tempDir());
    const first = store.set("k", 1);
    const racing = store.set("k", 2, { ifVersion: null });
    const deleting = store.delete("k", { ifVersion: 1 });
    expect(await first).toEqual({ seq: 1 });
    await expect(racing).rejects.toMatchObject({ code: "STORE_CONFLICT" });
    expect(await deleting).toEqual({ seq: 2 });
    expect(store.has("k")).toBe(false);
    await store.close();
  });

  it.each<[string, unknown, string]>([
    ["ifVersion undefined", { ifVersion: undefined }, "set() has ifVersion undefined. Leave ifVersion out for no condition"],
    ["a negative version", { ifVersion: -1 }, "set() has ifVersion -1; expected a seq number or null."],
    ["version 0 (seqs start at 1)", { ifVersion: 0 }, "set() has ifVersion 0; expected a seq number or null."],
    ["a fractional version", { ifVersion: 1.5 }, "set() has ifVersion 1.5; expected a seq number or null."],
    ["a misspelled option", { ifversion: 1 }, 'set() has no option "ifversion"; its only option is ifVersion.'],
    ["options that are not an object", 3, "set() takes an options object ({ ifVersion }) as its last argument, got 3."],
  ])("%s is a TypeError and leaves the folder byte for byte unchanged", async (_, options, message) => {
    const store = await openStore(await tempDir());
    await store.set("k", 1);
    await store.checkpoint(); // no zero fill of the segment in flight while files are compared
    const before = await folderDigest(store.dir);
    const error: unknown = await store.set("k", 2, options as WriteOptions).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toContain(message);
    await expect(store.delete("k", options as WriteOptions)).rejects.toThrow(TypeError);
    expect(await folderDigest(store.dir)).toEqual(before);
    expect(store.seq).toBe(1);
    await store.close();
  });

  it("ifVersion 0 in a batch is a TypeError, as the contract's validators (and so the kv adapter) refuse it", async () => {
    const store = await openStore(await tempDir());
    await expect(store.batch([{ type: "set", key: "k", value: 1, ifVersion: 0 }])).rejects.toThrow("batch() operation 0 has ifVersion 0; expected a seq number or null.");
    await expect(toKeyValueStore(store).batch([{ type: "set", key: "k", value: 1, ifVersion: 0 }])).rejects.toThrow(TypeError);
    expect(store.seq).toBe(0);
    await store.close();
  });

  it("a single conditional write behaves exactly as a batch of that one operation (property)", async () => {
    const key = fc.constantFrom("a", "b");
    const ifVersion = fc.option(fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 8 })), { nil: undefined });
    const op = fc.record({ type: fc.constantFrom("set" as const, "delete" as const), key, value: fc.integer(), ifVersion });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const single = await openStore(await tempDir(), { sync: "none" });
        const batched = await openStore(await tempDir(), { sync: "none" });
        for (const { type, key: name, value, ifVersion: version } of ops) {
          const options: WriteOptions = version === undefined ? {} : { ifVersion: version };
          const viaSingle = type === "set" ? single.set(name, value, options) : single.delete(name, options);
          const viaBatch = batched.batch([type === "set" ? { type, key: name, value, ...options } : { type, key: name, ...options }]);
          expect(await outcome(viaSingle)).toEqual(await outcome(viaBatch));
        }
        expect([...single.scan()]).toEqual([...batched.scan()]);
        expect(["a", "b"].map((name) => single.version(name))).toEqual(["a", "b"].map((name) => batched.version(name)));
        await single.close();
        await batched.close();
      }),
      { numRuns: 40 },
    );
  });
});
