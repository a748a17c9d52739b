import { VALUE_DEPTH_MAX_DEFAULT, type JsonValue } from "@store/fs";
import { SimulatedDisk } from "@store/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMirror, readJsonFile, readManifest, verifyMirror, type Mirror, type MirrorOptions } from "../src/index.js";
import { CountingFs } from "./support/counting-fs.js";
import { MemorySource } from "./support/memory-source.js";

const dir = "/data/mirror";
const views = { "players.json": "players/", "games.json": "games/" };
const intervalMs = 100;
const backoffInitialMs = 1_000;
const backoffMaxMs = 4_000;

let disk: SimulatedDisk;
let fs: CountingFs;
let source: MemorySource;
let errors: unknown[];
let mirror: Mirror;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  disk = new SimulatedDisk();
  fs = new CountingFs(disk.fs);
  source = new MemorySource();
  errors = [];
  mirror = createMirror(source, { dir, views, intervalMs, backoffInitialMs, backoffMaxMs, fs, onError: (error) => errors.push(error) });
});
afterEach(async () => {
  await mirror.close();
  vi.useRealTimers();
  expect(errors).toEqual([]);
});

describe("coalescing", () => {
  it("1000 writes spread over 10 s cause at most one write per view per interval", async () => {
    for (let i = 0; i < 1_000; i += 1) {
      source.set(`players/p${i % 37}`, { score: i });
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(intervalMs);
    const writes = fs.renames(`${dir}/players.json`);
    expect(writes).toBeGreaterThan(1);
    expect(writes).toBeLessThanOrEqual(10_000 / intervalMs + 1);
    expect(fs.renames(`${dir}/games.json`)).toBe(1); // the first write only: nothing under games/ changed
    expect(await readJsonFile(`${dir}/players.json`, { fs })).toEqual(source.view("players/"));
  });

  it("1000 writes in one turn cause one write per view", async () => {
    for (let i = 0; i < 1_000; i += 1) source.set(`players/p${i}`, i);
    await vi.advanceTimersByTimeAsync(10 * intervalMs);
    expect(fs.renames(`${dir}/players.json`)).toBe(1);
    expect(fs.renames(`${dir}/manifest.json`)).toBe(1);
  });

  it("the change listener does no I/O and writes nothing before the interval", async () => {
    await mirror.flush();
    const before = fs.operations;
    source.set("players/a", 1);
    source.delete("players/a");
    await vi.advanceTimersByTimeAsync(intervalMs - 1);
    expect(fs.operations).toBe(before);
    expect(mirror.dirtyViews).toEqual(["players.json"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fs.renames(`${dir}/players.json`)).toBe(2);
    expect(fs.renames(`${dir}/games.json`)).toBe(1);
  });

  it("never more than one write in flight, even with a slow disk and concurrent flushes", async () => {
    fs.slowSync = () => new Promise((resolve) => setTimeout(resolve, 3 * intervalMs));
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 50; i += 1) {
      source.set(i % 2 === 0 ? `players/${i}` : `games/${i}`, i);
      if (i % 5 === 0) flushes.push(mirror.flush());
      await vi.advanceTimersByTimeAsync(intervalMs / 2);
    }
    flushes.push(mirror.flush());
    await vi.advanceTimersByTimeAsync(100 * intervalMs);
    await Promise.all(flushes);
    expect(fs.inFlightMax).toBe(1);
    expect(await readJsonFile(`${dir}/games.json`, { fs })).toEqual(source.view("games/"));
  });
});

describe("flush, close, manifest", () => {
  it("after flush the views and the manifest equal the source exactly", async () => {
    source.set("players/alice", { coins: 3, tags: ["a"] });
    source.set("players/__proto__", "not a prototype");
    source.set("players/", "empty suffix");
    source.set("games/g1", null);
    source.set("other/x", 1);
    await mirror.flush();
    expect(await readJsonFile(`${dir}/players.json`, { fs })).toEqual(source.view("players/"));
    expect(await readJsonFile(`${dir}/games.json`, { fs })).toEqual({ g1: null });
    const manifest = await readManifest(dir, { fs });
    expect(manifest?.views["players.json"]).toMatchObject({ prefix: "players/", seq: 5, writtenAt: new Date(0).toISOString() });
    expect(await verifyMirror(dir, { fs })).toMatchObject([
      { file: "games.json", status: "ok" },
      { file: "players.json", status: "ok" },
    ]);
  });

  it("close writes the final state, unsubscribes, leaves no timer, and is idempotent", async () => {
    source.set("players/a", 1);
    await mirror.close();
    await mirror.close();
    expect(source.listenerCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(await readJsonFile(`${dir}/players.json`, { fs })).toEqual({ a: 1 });
    await expect(mirror.flush()).rejects.toMatchObject({ code: "STORE_CLOSED" });
  });

  it("verifyMirror reports a view changed behind the manifest's back, and a missing one", async () => {
    source.set("players/a", 1);
    await mirror.flush();
    const handle = await fs.open(`${dir}/players.json`, "w");
    await handle.write(new TextEncoder().encode("{}"), 0, 2, 0);
    await handle.close();
    await fs.unlink(`${dir}/games.json`);
    expect(await verifyMirror(dir, { fs })).toMatchObject([
      { file: "games.json", status: "missing" },
      { file: "players.json", status: "mismatch" },
    ]);
  });
});

describe("errors", () => {
  it("a failed background write is reported, kept dirty, and retried after the backoff", async () => {
    disk.injectFault({ operation: "rename", nth: 1, kind: "ENOSPC", pathIncludes: "players.json" });
    source.set("players/a", 1);
    await vi.advanceTimersByTimeAsync(intervalMs);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "STORE_IO", path: `${dir}/players.json`, cause: { code: "ENOSPC" } });
    expect(mirror.lastError).toBe(errors[0]);
    expect(mirror.dirtyViews).toContain("players.json");
    expect(mirror.failingViews).toEqual([{ file: "players.json", failures: 1, error: errors[0], retryAtMs: intervalMs + backoffInitialMs }]);
    errors.length = 0;
    await vi.advanceTimersByTimeAsync(backoffInitialMs - 1);
    expect(mirror.dirtyViews).toContain("players.json");
    await vi.advanceTimersByTimeAsync(1);
    expect(mirror.dirtyViews).toEqual([]);
    expect(mirror.failingViews).toEqual([]);
    expect(await readJsonFile(`${dir}/players.json`, { fs })).toEqual({ a: 1 });
  });

  it("flush rejects with the failure instead of reporting it in the background", async () => {
    disk.injectFault({ operation: "sync", nth: 1, kind: "EIO" });
    await expect(mirror.flush()).rejects.toMatchObject({ code: "STORE_IO", cause: { code: "EIO" } });
    expect(mirror.lastError).toMatchObject({ code: "STORE_IO" });
    await mirror.flush();
  });

  it("a damaged manifest is reported with its name and replaced", async () => {
    await mirror.close();
    const handle = await fs.open(`${dir}/manifest.json`, "w");
    await handle.write(new TextEncoder().encode('{"format": "store-mirr'), 0, 22, 0);
    await handle.close();
    mirror = createMirror(source, { dir, views, intervalMs, fs, onError: (error) => errors.push(error) });
    await mirror.flush();
    expect(errors).toMatchObject([{ code: "STORE_CORRUPTED", path: `${dir}/manifest.json` }]);
    errors.length = 0;
    expect(await verifyMirror(dir, { fs })).toHaveLength(2);
  });

  it("rejects bad options with a TypeError naming them", () => {
    expect(() => createMirror(source, { dir } as unknown as MirrorOptions)).toThrow(
      'createMirror: options.views is required: name each view file and the key prefix it holds, e.g. { "players.json": "players/" }',
    );
    expect(() => createMirror(source, undefined as unknown as MirrorOptions)).toThrow(/createMirror: options must be an object, got undefined/);
    expect(() => createMirror(source, { views } as unknown as MirrorOptions)).toThrow(/options\.dir must be the path of the folder/);
    expect(() => createMirror(source, { dir, views, intervalMS: 5 } as unknown as MirrorOptions)).toThrow(
      'createMirror: unknown option "intervalMS" (did you mean "intervalMs"?). The options are dir, views, intervalMs, spaces, valueDepthMax, backoffInitialMs, backoffMaxMs, fs, processProbe, onError, clock.',
    );
    expect(() => createMirror(source, { dir, views, onError: 1 } as unknown as MirrorOptions)).toThrow(/options\.onError must be a function, got 1/);
    expect(() => createMirror(source, { dir, views, backoffInitialMs: 10, backoffMaxMs: 5 })).toThrow(/backoffMaxMs must be a finite number of ms >= 10, got 5/);
    expect(() => createMirror({ seq: 0 } as unknown as MemorySource, { dir, views })).toThrow(/the source must have seq, scan\(\) and subscribe\(\)/);
    expect(() => createMirror(source, { dir, views: {} })).toThrow(/at least one/);
    expect(() => createMirror(source, { dir, views: { "manifest.json": "a/" } })).toThrow(/"manifest.json"/);
    expect(() => createMirror(source, { dir, views: { "sub/p.json": "a/" } })).toThrow(TypeError);
    expect(() => createMirror(source, { dir, views: { "p.json": "a/" }, intervalMs: -1 })).toThrow(/intervalMs.*-1/);
    expect(source.listenerCount).toBe(1); // only the mirror from beforeEach
  });
});

describe("one failing view", () => {
  function nested(depth: number): JsonValue {
    let value: JsonValue = 1;
    for (let level = 0; level < depth; level += 1) value = { a: value };
    return value;
  }

  it("does not keep the others from being written, is reported with backoff, and is written once it can be", async () => {
    await mirror.close();
    mirror = createMirror(source, { dir, views, intervalMs, backoffInitialMs, backoffMaxMs, valueDepthMax: 3, fs, onError: (error) => errors.push(error) });
    source.set("players/deep", nested(4));
    source.set("games/g1", 1);
    await vi.advanceTimersByTimeAsync(intervalMs);
    expect(await readJsonFile(`${dir}/games.json`, { fs })).toEqual({ g1: 1 });
    expect(await readManifest(dir, { fs })).toMatchObject({ views: { "games.json": { seq: 2 } } });
    expect(errors).toMatchObject([
      { code: "STORE_INVALID_VALUE", path: `${dir}/players.json`, key: "players/deep", message: expect.stringContaining('key "players/deep" is not plain JSON: .a.a.a is nested deeper than valueDepthMax (3)') as unknown },
    ]);
    expect(mirror.failingViews).toMatchObject([{ file: "players.json", failures: 1, retryAtMs: intervalMs + backoffInitialMs }]);

    // The other view goes on being written on time while this one backs off.
    source.set("games/g1", 2);
    await vi.advanceTimersByTimeAsync(intervalMs);
    expect(await readJsonFile(`${dir}/games.json`, { fs })).toEqual({ g1: 2 });
    expect(errors).toHaveLength(1);

    // Retries double up to backoffMaxMs, each one reported.
    const retriesAtMs: number[] = [];
    for (let elapsedMs = 2 * intervalMs; elapsedMs < 14_000; elapsedMs += intervalMs) {
      const before = errors.length;
      await vi.advanceTimersByTimeAsync(intervalMs);
      if (errors.length > before) retriesAtMs.push(Date.now());
    }
    expect(retriesAtMs).toEqual([1_100, 3_100, 7_100, 11_100]);
    expect(mirror.failingViews).toMatchObject([{ file: "players.json", failures: 5, retryAtMs: 15_100 }]);
    // flush() does not wait for the backoff; its failure counts as one more.
    await expect(mirror.flush()).rejects.toMatchObject({ code: "STORE_INVALID_VALUE" });
    expect(mirror.failingViews).toMatchObject([{ file: "players.json", failures: 6, retryAtMs: Date.now() + backoffMaxMs }]);
    expect(await readJsonFile(`${dir}/players.json`, { fs })).toEqual({}); // as the first mirror left it

    source.set("players/deep", nested(3));
    await vi.advanceTimersByTimeAsync(backoffMaxMs);
    expect(await readJsonFile(`${dir}/players.json`, { fs })).toEqual({ deep: nested(3) });
    expect(mirror.failingViews).toEqual([]);
    expect(mirror.dirtyViews).toEqual([]);
    errors.length = 0;
  });

  it("a change to another view is not held back by a failing view's long backoff timer", async () => {
    await mirror.close();
    mirror = createMirror(source, { dir, views, intervalMs, backoffInitialMs: 60_000, fs, onError: (error) => errors.push(error) });
    source.set("players/bad", nested(VALUE_DEPTH_MAX_DEFAULT + 1_000));
    await vi.advanceTimersByTimeAsync(intervalMs);
    expect(errors).toHaveLength(1);
    source.set("games/g1", 1);
    await vi.advanceTimersByTimeAsync(intervalMs);
    expect(await readJsonFile(`${dir}/games.json`, { fs })).toEqual({ g1: 1 });
    errors.length = 0;
    source.delete("players/bad");
  });
});

describe("transformed views", () => {
  it("writes transform(key, value) for each entry, leaves out undefined, and keeps plain-prefix views as they were", async () => {
    await mirror.close();
    const seen: string[] = [];
    const transform = (key: string, value: JsonValue): JsonValue | undefined => {
      seen.push(key);
      return key.endsWith("/hidden") ? undefined : { old: value };
    };
    mirror = createMirror(source, { dir, views: { "players.json": { prefix: "players/", transform }, "games.json": "games/" }, intervalMs, fs, onError: (error) => errors.push(error) });
    source.set("players/a", { stats: { wins: 2 } });
    source.set("players/hidden", 1);
    source.set("games/g1", 1);
    await mirror.flush();
    expect(await readJsonFile(`${dir}/players.json`, { fs })).toEqual({ a: { old: { stats: { wins: 2 } } } });
    expect(await readJsonFile(`${dir}/games.json`, { fs })).toEqual({ g1: 1 });
    expect(seen).toEqual(["players/a", "players/hidden"]);
    expect(source.view("players/")).toEqual({ a: { stats: { wins: 2 } }, hidden: 1 });
    expect(await verifyMirror(dir, { fs })).toMatchObject([{ status: "ok" }, { status: "ok" }]);
  });

  it("a throwing transform is reported with its view and key, backs off, and does not hold up the other views", async () => {
    await mirror.close();
    let broken = true;
    const transform = (_key: string, value: JsonValue): JsonValue => {
      if (broken) throw new Error("cannot map this record");
      return { old: value };
    };
    mirror = createMirror(source, { dir, views: { "players.json": { prefix: "players/", transform }, "games.json": "games/" }, intervalMs, backoffInitialMs, backoffMaxMs, fs, onError: (error) => errors.push(error) });
    source.set("players/a", 1);
    source.set("games/g1", 1);
    await vi.advanceTimersByTimeAsync(intervalMs);
    expect(await readJsonFile(`${dir}/games.json`, { fs })).toEqual({ g1: 1 });
    expect(await readJsonFile(`${dir}/players.json`, { fs })).toEqual({}); // as the first mirror left it
    expect(errors).toMatchObject([
      { code: "STORE_INVALID_VALUE", path: `${dir}/players.json`, key: "players/a", message: expect.stringContaining('its transform threw for key "players/a": cannot map this record') as unknown, cause: { message: "cannot map this record" } },
    ]);
    expect(mirror.failingViews).toMatchObject([{ file: "players.json", failures: 1, retryAtMs: intervalMs + backoffInitialMs }]);

    source.set("games/g1", 2);
    await vi.advanceTimersByTimeAsync(intervalMs);
    expect(await readJsonFile(`${dir}/games.json`, { fs })).toEqual({ g1: 2 });
    expect(errors).toHaveLength(1); // backing off: not retried yet
    await expect(mirror.flush()).rejects.toMatchObject({ code: "STORE_INVALID_VALUE", key: "players/a" });

    broken = false;
    await vi.advanceTimersByTimeAsync(backoffMaxMs);
    expect(await readJsonFile(`${dir}/players.json`, { fs })).toEqual({ a: { old: 1 } });
    expect(mirror.failingViews).toEqual([]);
    errors.length = 0;
  });

  it("a transform that returns a value JSON cannot hold is refused like a stored one", async () => {
    await mirror.close();
    mirror = createMirror(source, { dir, views: { "players.json": { prefix: "players/", transform: () => Number.NaN } }, intervalMs, fs, onError: (error) => errors.push(error) });
    source.set("players/a", 1);
    await expect(mirror.flush()).rejects.toMatchObject({ code: "STORE_INVALID_VALUE", key: "players/a", message: expect.stringContaining("as the view's transform returned it") as unknown });
    source.delete("players/a");
    await mirror.flush();
    expect(await readJsonFile(`${dir}/players.json`, { fs })).toEqual({});
  });

  it("rejects a bad view with a TypeError naming it", () => {
    const bad = (view: unknown): (() => Mirror) => () => createMirror(source, { dir, views: { "p.json": view } } as unknown as MirrorOptions);
    expect(bad(1)).toThrow(/options\.views\["p\.json"\] must be a key prefix string or \{ prefix, transform\? \}, got 1/);
    expect(bad({ transform: () => 1 })).toThrow(/options\.views\["p\.json"\]\.prefix must be a key prefix string, got undefined/);
    expect(bad({ prefix: "p/", transform: "upper" })).toThrow(/options\.views\["p\.json"\]\.transform must be a function .*got "upper"/);
    expect(bad({ prefix: "p/", transfrom: () => 1 })).toThrow(/options\.views\["p\.json"\] has an unknown field "transfrom"/);
    expect(bad({ prefix: "p/", transform: undefined })).not.toThrow();
    expect(source.listenerCount).toBe(2); // beforeEach's mirror and the one accepted view above
  });
});
