import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importJson, type ImportOptions, type JsonValue } from "../src/index.js";
import { MemorySource } from "./support/memory-source.js";

let dir: string;
let store: MemorySource;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "snapshot-import-"));
  store = new MemorySource();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe("importJson", () => {
  it("imports an object file in one batch, keys under the prefix", async () => {
    const file = await fileWith("players.json", JSON.stringify({ alice: { coins: 3 }, bob: { coins: 0 }, "": 1 }));
    const result = await importJson(store, file, { prefix: "players/" });
    expect(result).toEqual({ imported: 3, skipped: [], seq: 1 });
    expect(store.batches).toHaveLength(1);
    expect(store.view("players/")).toEqual({ alice: { coins: 3 }, bob: { coins: 0 }, "": 1 });
  });

  it("imports an array file with keyOf", async () => {
    const file = await fileWith("games.json", JSON.stringify([{ id: "g1", turn: 1 }, { id: "g2", turn: 5 }]));
    const result = await importJson(store, file, { prefix: "games/", keyOf: (item) => (item as { id: string }).id });
    expect(result).toEqual({ imported: 2, skipped: [], seq: 1 });
    expect(store.view("games/")).toEqual({ g1: { id: "g1", turn: 1 }, g2: { id: "g2", turn: 5 } });
  });

  it("skips invalid entries with their position and reason, and imports the rest", async () => {
    const items = [
      { id: "ok" },
      { id: "" },
      { id: "tab\there" },
      { id: "x".repeat(1100) },
      { id: "ok" },
      { id: 7 },
      { name: "no id" },
      { id: "\ud800" },
    ];
    const file = await fileWith("old.json", JSON.stringify(items));
    const keyOf = (item: JsonValue): string => {
      const { id } = item as { id?: JsonValue };
      if (id === undefined) throw new Error("item has no id");
      return id as string;
    };
    const result = await importJson(store, file, { prefix: "p/", keyOf });
    expect(result.imported).toBe(2);
    expect(result.skipped).toEqual([
      { index: 2, key: "tab\there", reason: expect.stringContaining("the key contains U+") as unknown },
      { index: 3, key: "x".repeat(1100), reason: "the key is 1102 UTF-8 bytes long, over keyBytesMax (1024)" },
      { index: 4, key: "ok", reason: "duplicate key: item 0 already has it (the first one is kept)" },
      { index: 5, reason: "keyOf returned number, not a string" },
      { index: 6, reason: "keyOf threw: item has no id" },
      { index: 7, key: "\ud800", reason: expect.stringContaining("the key contains U+d800") as unknown },
    ]);
    // An empty id is fine under a prefix: the key is "p/".
    expect([...store.scan()].map(([key]) => key)).toEqual(["p/", "p/ok"]);
  });

  it("an object key that is bad under an empty prefix is skipped by name", async () => {
    const file = await fileWith("old.json", JSON.stringify({ "": 1, "a\u0000b": 2, good: 3 }));
    const result = await importJson(store, file, { prefix: "" });
    expect(result).toEqual({
      imported: 1,
      skipped: [
        { key: "", reason: "the key is empty" },
        { key: "a\u0000b", reason: expect.stringContaining("the key contains U+") as unknown },
      ],
      seq: 1,
    });
  });

  it("values are checked in an object file as in an array file: a bad one is skipped, not the whole import", async () => {
    let deep: JsonValue = 1;
    for (let level = 0; level < 65; level += 1) deep = [deep];
    const file = await fileWith("players.json", JSON.stringify({ alice: { coins: 3 }, deep, bob: { coins: 1 } }));
    const result = await importJson(store, file, { prefix: "players/" });
    expect(result).toEqual({
      imported: 2,
      skipped: [{ key: "deep", reason: expect.stringContaining("is nested deeper than valueDepthMax (64)") as unknown }],
      seq: 1,
    });
    expect(store.view("players/")).toEqual({ alice: { coins: 3 }, bob: { coins: 1 } });
    const arrayFile = await fileWith("list.json", JSON.stringify([{ id: "a" }, { id: "deep", deep }]));
    const fromArray = await importJson(store, arrayFile, { prefix: "list/", keyOf: (item) => (item as { id: string }).id });
    expect(fromArray.skipped).toEqual([{ index: 1, key: "deep", reason: expect.stringContaining("is nested deeper than valueDepthMax (64)") as unknown }]);
    expect(await importJson(store, file, { prefix: "again/", valueDepthMax: 66 })).toMatchObject({ imported: 3, skipped: [] });
  });

  it("a misspelled option is a TypeError naming it", async () => {
    const file = await fileWith("players.json", "{}");
    await expect(importJson(store, file, { prefix: "p/", keyof: () => "x" } as unknown as ImportOptions)).rejects.toThrow(
      'importJson: unknown option "keyof" (did you mean "keyOf"?). The options are prefix, keyOf, valueDepthMax, fs.',
    );
  });

  it("a file with nothing valid writes no batch", async () => {
    const file = await fileWith("old.json", JSON.stringify({ "\u0001": 1 }));
    expect(await importJson(store, file, { prefix: "" })).toMatchObject({ imported: 0, seq: null });
    expect(store.batches).toHaveLength(0);
  });

  it("a missing file is STORE_IO naming it, and nothing is written", async () => {
    const file = join(dir, "missing.json");
    await expect(importJson(store, file, { prefix: "p/" })).rejects.toMatchObject({ code: "STORE_IO", path: file, message: expect.stringContaining(file) as unknown });
    expect(store.batches).toHaveLength(0);
  });

  it("a truncated file is STORE_CORRUPTED naming it, and nothing is written", async () => {
    const file = await fileWith("players.json", '{"alice": {"coins": 3}, "bob": {"co');
    await expect(importJson(store, file, { prefix: "p/" })).rejects.toMatchObject({ code: "STORE_CORRUPTED", path: file });
    expect(store.batches).toHaveLength(0);
  });

  it("an array without keyOf is a TypeError; a scalar file is STORE_INVALID_VALUE", async () => {
    const array = await fileWith("a.json", "[1]");
    await expect(importJson(store, array, { prefix: "p/" })).rejects.toThrow(TypeError);
    const scalar = await fileWith("s.json", "42");
    await expect(importJson(store, scalar, { prefix: "p/" })).rejects.toMatchObject({ code: "STORE_INVALID_VALUE", path: scalar });
    expect(store.batches).toHaveLength(0);
  });
});
