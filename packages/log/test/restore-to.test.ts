import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { followLog, openStore, restoreTo, type JsonValue, type Store } from "../src/index.js";
import { folderBytes } from "@store/testkit";
import { tempDir } from "./helpers.js";

type Model = ReadonlyMap<string, JsonValue>;

/** Everything a store holds, by key. */
function contents(store: Store): Map<string, JsonValue> {
  const all = new Map<string, JsonValue>();
  for (const { key, value } of store.range({})) all.set(key, value);
  return all;
}

async function restoredContents(out: string): Promise<Map<string, JsonValue>> {
  const store = await openStore(out, { readOnly: true });
  try {
    return contents(store);
  } finally {
    await store.close();
  }
}

type Op = { type: "set"; key: string; value: JsonValue } | { type: "del"; key: string };

/**
 * Writes `steps` into a new store in `dir` (each a batch of ops, or a compaction), with small
 * segments so it rolls, and returns the model: the store's contents after each write, by `store.seq`.
 */
async function writeHistory(dir: string, steps: ReadonlyArray<readonly Op[] | "compact">, backupsMax = 3): Promise<Map<number, Model> & { compactedAt: number[] }> {
  const store = await openStore(dir, { segmentBytesMax: 600, backupsMax });
  const model = new Map<string, JsonValue>();
  const states = Object.assign(new Map<number, Model>([[0, new Map()]]), { compactedAt: [] as number[] });
  try {
    for (const step of steps) {
      if (step === "compact") {
        await store.compact();
        states.compactedAt.push(store.seq);
        continue;
      }
      const live = step.filter((op) => op.type === "set" || model.has(op.key));
      if (live.length === 0) continue;
      await store.batch(live.map((op) => (op.type === "set" ? op : { type: "delete" as const, key: op.key })));
      for (const op of live) {
        if (op.type === "set") model.set(op.key, op.value);
        else model.delete(op.key);
      }
      states.set(store.seq, new Map(model));
    }
  } finally {
    await store.close();
  }
  return states;
}

function plainSteps(writes: number, compactAt: readonly number[]): Array<readonly Op[] | "compact"> {
  const steps: Array<readonly Op[] | "compact"> = [];
  for (let i = 1; i <= writes; i += 1) {
    const key = `k${i % 7}`;
    steps.push(i % 5 === 0 ? [{ type: "del", key: `k${(i + 3) % 7}` }] : i % 3 === 0 ? [{ type: "set", key, value: { i } }, { type: "del", key: `k${(i + 1) % 7}` }] : [{ type: "set", key, value: i }]);
    if (compactAt.includes(i)) steps.push("compact");
  }
  return steps;
}

async function expectError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code, message: expect.stringMatching(message) as unknown });
}

describe("restoreTo", () => {
  it("restores every seq across two compactions to exactly the state written at that seq, and leaves the folder untouched", async () => {
    const root = await tempDir();
    const dir = join(root, "data");
    const states = await writeHistory(dir, plainSteps(40, [12, 27]));
    expect((await readdir(join(dir, "backups"))).some((name) => name.endsWith(".base.gz"))).toBe(true);
    const before = await folderBytes(dir);
    for (const [seq, model] of states) {
      const out = join(root, `at-${seq}`);
      const result = await restoreTo(dir, out, { seq });
      expect(result, `seq ${seq}`).toMatchObject({ seq, keys: model.size });
      expect(await restoredContents(out), `seq ${seq}`).toEqual(model);
    }
    expect(await folderBytes(dir)).toEqual(before);
  });

  it("property: any writes and compactions, any seq kept: the restored store equals the model at that seq", async () => {
    const op = fc.oneof(
      fc.record({ type: fc.constant("set" as const), key: fc.constantFrom("a", "b", "c", "d"), value: fc.oneof(fc.integer(), fc.string({ maxLength: 40 })) }),
      fc.record({ type: fc.constant("del" as const), key: fc.constantFrom("a", "b", "c", "d") }),
    );
    const step = fc.oneof({ weight: 6, arbitrary: fc.uniqueArray(op, { minLength: 1, maxLength: 3, selector: (item) => item.key }) }, { weight: 1, arbitrary: fc.constant("compact" as const) });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), fc.nat(), async (steps, pick) => {
        const root = await tempDir();
        const dir = join(root, "data");
        const states = await writeHistory(dir, steps, 100);
        const seqs = [...states.keys()];
        const seq = seqs[pick % seqs.length] ?? 0;
        await restoreTo(dir, join(root, "out"), { seq });
        expect(await restoredContents(join(root, "out"))).toEqual(states.get(seq));
      }),
      { numRuns: 25 },
    );
  });

  it("atMs restores the last record written at or before that time", async () => {
    const root = await tempDir();
    const dir = join(root, "data");
    const states = await writeHistory(dir, plainSteps(30, [10, 20]));
    const written: Array<{ seq: number; ts: number }> = [];
    for await (const { seq, record } of followLog(dir, { afterSeq: 0, follow: false })) written.push({ seq, ts: record.ts });
    expect(written.length).toBeGreaterThan(20);
    for (const index of [0, 14, written.length - 1]) {
      const atMs = written[index]?.ts ?? 0;
      const expected = Math.max(...written.filter((record) => record.ts <= atMs).map((record) => record.seq));
      const out = join(root, `at-${atMs}-${expected}`);
      expect(await restoreTo(dir, out, { atMs })).toMatchObject({ seq: expected });
      expect(await restoredContents(out)).toEqual(states.get(expected));
    }
    const beforeAll = join(root, "before-all");
    expect(await restoreTo(dir, beforeAll, { atMs: (written[0]?.ts ?? 0) - 1 })).toMatchObject({ seq: 0, keys: 0 });
  });

  it("a seq older than the backups keep is STORE_HISTORY_GONE naming the oldest seq kept; a seq never written too", async () => {
    const root = await tempDir();
    const dir = join(root, "data");
    const states = await writeHistory(dir, plainSteps(30, [10, 20, 25]), 1);
    // backupsMax 1: only the last compaction's backup is kept, holding the base the 2nd compaction wrote.
    const oldest = states.compactedAt[1] ?? 0;
    const last = Math.max(...states.keys());
    expect(oldest).toBeGreaterThan(1);
    await expectError(restoreTo(dir, join(root, "old"), { seq: oldest - 1 }), "STORE_HISTORY_GONE", new RegExp(`oldest seq it can restore is ${oldest}\\b`, "u"));
    await expectError(restoreTo(dir, join(root, "old-at"), { atMs: 0 }), "STORE_HISTORY_GONE", new RegExp(`history starts at seq ${oldest}\\b`, "u"));
    expect((await restoreTo(dir, join(root, "kept"), { seq: oldest })).seq).toBe(oldest);
    await expectError(restoreTo(dir, join(root, "future"), { seq: last + 1 }), "STORE_HISTORY_GONE", new RegExp(`last write is seq ${last}\\b`, "u"));
    expect(await readdir(root)).toEqual(["data", "kept"]);
  });

  it("refuses a folder that is not empty, and one inside the store, writing nothing", async () => {
    const root = await tempDir();
    const dir = join(root, "data");
    await writeHistory(dir, plainSteps(5, []));
    const out = join(root, "busy");
    await mkdir(out);
    await writeFile(join(out, "notes.txt"), "mine");
    await expectError(restoreTo(dir, out, { seq: 3 }), "STORE_IO", /busy already exists and is not an empty folder/u);
    expect(await readdir(out)).toEqual(["notes.txt"]);
    await expect(restoreTo(dir, join(dir, "inside"), { seq: 3 })).rejects.toThrow(TypeError);
    await expect(restoreTo(dir, join(root, "x"), { seq: 3, atMs: 1 })).rejects.toThrow(TypeError);
    const empty = join(root, "empty");
    await mkdir(empty);
    expect((await restoreTo(dir, empty, { seq: 3 })).seq).toBe(3);
  });
});
