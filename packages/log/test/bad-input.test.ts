import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore, type BatchOp, type JsonValue, type Store } from "../src/index.js";
import { tempDir } from "./helpers.js";

const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;
const sparse: unknown[] = [1, , 3]; // eslint-disable-line no-sparse-arrays
let deep: unknown = 0;
for (let level = 0; level < 100; level += 1) deep = [deep];

const badValues: Array<[string, unknown]> = [
  ["undefined", undefined],
  ["a function", () => 1],
  ["a symbol", Symbol("s")],
  ["a BigInt", 10n],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
  ["a Date", new Date(0)],
  ["a Map", new Map([["a", 1]])],
  ["a Set", new Set([1])],
  ["a RegExp", /x/],
  ["a class instance", new (class Point { x = 1 })()],
  ["a Uint8Array", new Uint8Array(2)],
  ["a cycle", cyclic],
  ["a sparse array", sparse],
  ["undefined inside an object", { a: undefined }],
  ["a function inside an array", [1, () => 2]],
  ["NaN deep inside", { a: { b: [{ c: Number.NaN }] } }],
  ["symbol keys", { [Symbol("k")]: 1 }],
  ["nesting past valueDepthMax", deep],
  ["a value over recordBytesMax", "x".repeat(17 * 1024 * 1024)],
];

const badKeys: Array<[string, unknown]> = [
  ["an empty key", ""],
  ["a key over keyBytesMax", "k".repeat(1025)],
  ["a key over keyBytesMax in UTF-8 bytes", "é".repeat(513)],
  ["a newline", "a\nb"],
  ["a NUL", "a\u0000b"],
  ["a tab", "a\tb"],
  ["DEL", "a\u007fb"],
  ["a C1 control", "a\u0085b"],
  ["a lone high surrogate", "a\ud800b"],
  ["a lone low surrogate", "a\udc00"],
  ["a number", 42],
  ["null", null],
  ["an object", { key: "a" }],
];

async function folderBytes(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of await readdir(dir)) files.set(name, (await readFile(join(dir, name))).toString("base64"));
  return files;
}

async function expectRejectedWithoutTrace(store: Store, dir: string, attempt: () => Promise<unknown>): Promise<unknown> {
  await store.checkpoint(); // no zero fill of the segment in flight while files are compared
  const filesBefore = await folderBytes(dir);
  const stateBefore = [...store.scan()];
  const seqBefore = store.seq;
  const error = await attempt().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  await store.set("probe", store.seq); // the store still works, and the next seq was not burned
  expect(store.version("probe")).toBe(seqBefore + 1);
  await store.delete("probe");
  expect([...store.scan()]).toEqual(stateBefore);
  const filesAfter = await folderBytes(dir);
  expect(filesAfter.size).toBe(filesBefore.size);
  return error;
}

describe("bad input is rejected before anything touches the disk", () => {
  it.each(badValues)("a value that is %s", async (_name, value) => {
    const dir = await tempDir();
    const store = await openStore(dir);
    await store.set("existing", 1);
    await store.checkpoint();
    const filesBefore = await folderBytes(dir);
    const error = await store.set("k", value as JsonValue).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: expect.stringMatching(/^STORE_(INVALID_VALUE|TOO_LARGE)$/) as unknown });
    expect(await folderBytes(dir)).toEqual(filesBefore);
    expect(store.has("k")).toBe(false);
    const inBatch = await expectRejectedWithoutTrace(store, dir, () => store.batch([{ type: "set", key: "ok", value: 1 }, { type: "set", key: "k", value: value as JsonValue }]));
    expect(inBatch).toMatchObject({ code: expect.stringMatching(/^STORE_(INVALID_VALUE|TOO_LARGE)$/) as unknown });
    expect(store.has("ok")).toBe(false);
    await store.close();
  });

  it.each(badKeys)("a key that is %s", async (_name, key) => {
    const dir = await tempDir();
    const store = await openStore(dir);
    await store.checkpoint();
    const filesBefore = await folderBytes(dir);
    for (const attempt of [() => store.set(key as string, 1), () => store.delete(key as string), () => store.batch([{ type: "set", key: key as string, value: 1 }])]) {
      const error = (await attempt().then(
        () => undefined,
        (caught: unknown) => caught,
      )) as { code?: string } | undefined;
      expect(error instanceof TypeError || error?.code === "STORE_INVALID_KEY", `got ${JSON.stringify(error)}`).toBe(true);
    }
    expect(await folderBytes(dir)).toEqual(filesBefore);
    expect(store.seq).toBe(0);
    await store.close();
  });

  it("malformed batches are refused whole", async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    const malformed: unknown[] = [
      [],
      "not an array",
      [{ type: "upsert", key: "a", value: 1 }],
      [{ type: "set", key: "a", value: 1 }, { type: "set", key: "a", value: 2 }],
      [{ type: "set", key: "a", value: 1, ifVersion: -1 }],
      [{ type: "set", key: "a", value: 1, ifVersion: "3" }],
      Array.from({ length: 10_001 }, (_, index) => ({ type: "set", key: `k${index}`, value: 1 })),
    ];
    for (const ops of malformed) {
      await expect(store.batch(ops as BatchOp[])).rejects.toBeInstanceOf(Error);
    }
    expect(store.seq).toBe(0);
    await store.close();
  });
});
