import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeFileSystem } from "@store/fs";
import { openStore, type JsonValue } from "@store/log";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMirror, importJson, readJsonFile, verifyMirror, type ImportTarget, type MirrorSource } from "../src/index.js";
import { CountingFs } from "./support/counting-fs.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "snapshot-log-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function viewOf(store: MirrorSource, prefix: string): Record<string, unknown> {
  return Object.fromEntries([...store.scan(prefix)].map(([key, value]) => [key.slice(prefix.length), value]));
}

describe("with @store/log's store", () => {
  it("1000 concurrent writes: a bounded number of view writes, and views equal the store after flush", async () => {
    const store = await openStore(join(dir, "data"));
    const source: MirrorSource = store;
    const fs = new CountingFs(nodeFileSystem);
    const mirrorDir = join(dir, "data", "mirror");
    const errors: unknown[] = [];
    const mirror = createMirror(source, { dir: mirrorDir, views: { "players.json": "players/", "games.json": "games/" }, intervalMs: 50, fs, onError: (e) => errors.push(e) });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 1_000; i += 1) {
      writes.push(i % 10 === 0 ? store.batch([{ type: "set", key: `games/g${i % 7}`, value: { i } }, { type: "delete", key: `players/p${i % 13}` }]) : store.set(`players/p${i % 31}`, { coins: i }));
    }
    await Promise.all(writes);
    await mirror.flush();
    expect(errors).toEqual([]);
    expect(await readJsonFile(join(mirrorDir, "players.json"))).toEqual(viewOf(store, "players/"));
    expect(await readJsonFile(join(mirrorDir, "games.json"))).toEqual(viewOf(store, "games/"));
    expect(await verifyMirror(mirrorDir)).toMatchObject([{ status: "ok", record: { seq: store.seq } }, { status: "ok", record: { seq: store.seq } }]);
    // Each flush or tick writes a view at most once, and the writes took far fewer ticks than 1000.
    expect(fs.renames(join(mirrorDir, "players.json"))).toBeLessThanOrEqual(fs.renames(join(mirrorDir, "manifest.json")));
    expect(fs.renames(join(mirrorDir, "manifest.json"))).toBeLessThan(1_000);
    await mirror.close();
    await store.close();
  });

  it("a value nested as deep as the store accepts (valueDepthMax 64) is mirrored", async () => {
    let deep: JsonValue = 1;
    for (let level = 0; level < 64; level += 1) deep = { a: deep };
    const store = await openStore(join(dir, "data"));
    await store.set("players/deep", deep);
    const mirrorDir = join(dir, "mirror");
    const errors: unknown[] = [];
    const mirror = createMirror(store, { dir: mirrorDir, views: { "players.json": "players/", "games.json": "games/" }, intervalMs: 60_000, onError: (e) => errors.push(e) });
    await mirror.flush();
    expect(await readJsonFile(join(mirrorDir, "players.json"))).toEqual({ deep });
    expect(mirror.failingViews).toEqual([]);
    await mirror.close();
    await store.close();
    expect(errors).toEqual([]);
  });

  it("a mirror of a read-only store writes its views (there is nothing it could make durable)", async () => {
    const writer = await openStore(join(dir, "data"));
    await writer.set("players/a", 1);
    await writer.close();
    const store = await openStore(join(dir, "data"), { readOnly: true });
    const mirror = createMirror(store, { dir: join(dir, "mirror"), views: { "players.json": "players/" }, intervalMs: 60_000 });
    await mirror.close();
    expect(await readJsonFile(join(dir, "mirror", "players.json"))).toEqual({ a: 1 });
    await store.close();
  });

  it("importJson skips an over-deep value of an object file instead of failing the whole import", async () => {
    let deep: JsonValue = 1;
    for (let level = 0; level < 65; level += 1) deep = { a: deep };
    const file = join(dir, "players.json");
    await writeFile(file, JSON.stringify({ alice: { coins: 3 }, deep }));
    const store = await openStore(join(dir, "data"));
    const result = await importJson(store, file, { prefix: "players/" });
    expect(result).toMatchObject({ imported: 1, skipped: [{ key: "deep" }] });
    expect([...store.scan()]).toEqual([["players/alice", { coins: 3 }]]);
    await store.close();
  });

  it("importJson loads an old players.json into a store, durably, in one batch", async () => {
    const file = join(dir, "players.json");
    await writeFile(file, JSON.stringify({ alice: { coins: 3 }, "bad\u0007key": 1, bob: { coins: 9 } }));
    let store = await openStore(join(dir, "data"));
    const target: ImportTarget = store;
    const result = await importJson(target, file, { prefix: "players/" });
    expect(result).toEqual({ imported: 2, skipped: [{ key: "bad\u0007key", reason: expect.stringContaining("the key contains U+") as unknown }], seq: 1 });
    await store.close();
    store = await openStore(join(dir, "data"));
    expect([...store.scan()]).toEqual([
      ["players/alice", { coins: 3 }],
      ["players/bob", { coins: 9 }],
    ]);
    await store.close();
  });
});
