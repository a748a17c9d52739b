import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, startWriter, store, tempDir } from "./helpers.js";

describe("the command line", () => {
  it("--version, --help and every command's --help exit 0", async () => {
    expect(await store(["--version"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/u) as unknown });
    const help = await store(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["stats", "verify", "repair", "compact", "get", "set", "del", "scan", "export", "import", "import-legacy", "tail", "backup"]) {
      expect(help.stdout).toContain(`  ${command} `);
      const commandHelp = await store([command, "--help"]);
      expect(commandHelp.code).toBe(0);
      expect(commandHelp.stdout).toContain("Exit codes:");
    }
  });

  it("bad usage exits 2 with the usage hint, never a stack", async () => {
    for (const args of [["bogus"], ["get"], ["scan", "dir", "--limit", "x"], ["tail", "dir", "--from", "-3"], ["export", "dir", "--format", "xml"], ["stats", "dir", "--nope"]]) {
      const result = await store(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("--help");
      expect(result.stderr).not.toContain("    at ");
    }
  });
});

describe("set, get, del, scan", () => {
  it("write and read keys, in text and JSON", async () => {
    const dir = join(await tempDir(), "data");
    expect(await store(["set", dir, "players/1", '{"name":"Ada"}'])).toMatchObject({ code: 0, stdout: 'set "players/1" at seq 1\n' });
    expect(json(await store(["set", dir, "players/2", '{"name":"Bo"}', "--json"]))).toEqual({ key: "players/2", seq: 2 });
    await store(["set", dir, "other", "7"]);
    expect(await store(["get", dir, "players/1"])).toMatchObject({ code: 0, stdout: '{"name":"Ada"}\n' });
    expect(json(await store(["get", dir, "players/2", "--json"]))).toEqual({ key: "players/2", value: { name: "Bo" }, version: 2 });
    expect(await store(["scan", dir, "players/"])).toMatchObject({ code: 0, stdout: 'players/1\t1\t{"name":"Ada"}\nplayers/2\t2\t{"name":"Bo"}\n' });
    const lines = (await store(["scan", dir, "--json", "--limit", "2"])).stdout.trim().split("\n").map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual([
      { key: "other", value: 7, version: 3 },
      { key: "players/1", value: { name: "Ada" }, version: 1 },
    ]);
    expect(json(await store(["del", dir, "players/1", "--json"]))).toEqual({ key: "players/1", seq: 4, deletedVersion: 1 });
    expect((await store(["scan", dir, "players/"])).stdout).toBe('players/2\t2\t{"name":"Bo"}\n');
  });

  it("a missing key exits 1 (get, del: nothing written); a value that is not JSON exits 2", async () => {
    const dir = join(await tempDir(), "data");
    await store(["set", dir, "a", "1"]);
    expect(await store(["get", dir, "nope"])).toMatchObject({ code: 1, stdout: "", stderr: expect.stringContaining('no key "nope"') as unknown });
    expect(await store(["del", dir, "nope"])).toMatchObject({ code: 1, stderr: expect.stringContaining("nothing was written") as unknown });
    expect(await store(["set", dir, "a", "{not json"])).toMatchObject({ code: 2, stderr: expect.stringContaining("is not JSON") as unknown });
    expect(json(await store(["stats", dir, "--json"]))).toMatchObject({ seq: 1, keys: 1 });
  });

  it("a key the store refuses exits 2 with its code", async () => {
    const dir = join(await tempDir(), "data");
    const result = await store(["set", dir, "bad\u0001key", "1"]);
    expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(/^store: STORE_INVALID_KEY: /u) as unknown });
  });
});

describe("stats", () => {
  it("reports seq, keys, bytes, files, lock and recovery", async () => {
    const dir = join(await tempDir(), "data");
    for (let i = 0; i < 5; i += 1) await store(["set", dir, `k/${i}`, String(i)]);
    await store(["compact", dir]);
    await store(["set", dir, "k/9", "9"]);
    const stats = json(await store(["stats", dir, "--json"]));
    expect(stats).toMatchObject({ seq: 6, keys: 6, base: { name: "000002.base", seq: 5 }, segments: [{ name: "000002.log" }], lock: null, recovery: { recordsReplayed: 1, tornTail: null } });
    expect(stats.backups).toHaveLength(1);
    expect(typeof stats.lastCompactionAt).toBe("string");
    const text = await store(["stats", dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("seq\t6\n");
  });

  it("a folder that is not there exits 2 with one line and no stack; STORE_DEBUG=1 adds the stack", async () => {
    const dir = join(await tempDir(), "none");
    const result = await store(["stats", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^store: STORE_IO: There is no data folder at /u)]);
    const debug = await store(["stats", dir], { env: { STORE_DEBUG: "1" } });
    expect(debug.stderr).toContain("    at ");
    expect((await store(["--debug", "stats", dir])).stderr).toContain("    at ");
  });
});

describe("with the folder held by a running writer", () => {
  it("write commands exit 2 with STORE_LOCKED naming the holder; read commands work, without the lock", async () => {
    const dir = join(await tempDir(), "data");
    const writer = await startWriter(dir);
    try {
      const seq = await writer.write(20);
      const lock = await readFile(join(dir, "LOCK"), "utf8");
      const pid = String(writer.child.process.pid);
      for (const args of [["set", dir, "x", "1"], ["del", dir, "k/000001"], ["compact", dir], ["repair", dir]]) {
        const result = await store(args);
        expect(result.code, args[0]).toBe(2);
        expect(result.stderr).toMatch(/^store: STORE_LOCKED: The data folder is locked by pid \d+/u);
        expect(result.stderr).toContain(`pid ${pid}`);
        expect(result.stderr).toContain("Read commands");
      }
      expect(json(await store(["stats", dir, "--json"]))).toMatchObject({ seq, keys: 20, lock: { owner: { pid: Number(pid) }, alive: true } });
      expect((await store(["get", dir, "k/000003"])).code).toBe(0);
      expect((await store(["scan", dir, "k/", "--limit", "3"])).stdout.split("\n")).toHaveLength(4);
      expect((await store(["verify", dir])).code).toBe(0);
      expect(await readFile(join(dir, "LOCK"), "utf8")).toBe(lock);
    } finally {
      await writer.exit();
    }
  });
});

describe("compact and repair", () => {
  it("compact retires the old files; repair of a damaged folder says what it cut, and verify is then clean", async () => {
    const dir = join(await tempDir(), "data");
    const writer = await startWriter(dir, { segmentBytesMax: 1024 });
    await writer.write(40);
    await writer.exit();
    const segments = (await readdir(dir)).filter((name) => name.endsWith(".log"));
    expect(segments.length).toBeGreaterThan(2);
    const damaged = join(dir, segments[1]!);
    const bytes = await readFile(damaged);
    const offset = bytes.indexOf(0x0a) + 1;
    bytes[offset + 30]! ^= 0x08;
    await writeFile(damaged, bytes);
    expect((await store(["stats", dir])).code).toBe(1);
    const repaired = await store(["repair", dir, "--json"]);
    expect(repaired.code).toBe(0);
    expect(json(repaired)).toMatchObject({ repaired: true, kept: { seq: 40, keys: 39 }, cut: [{ path: damaged, offset, why: expect.stringContaining("checksum") as unknown }] });
    const again = await store(["repair", dir]);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining("nothing to repair") as unknown });
    const verified = json(await store(["verify", dir, "--json"]));
    expect(verified).toMatchObject({ ok: true });
    const compacted = json(await store(["compact", dir, "--json"]));
    expect(compacted).toMatchObject({ seq: 40, baseFile: expect.stringMatching(/\.base$/u) as unknown });
    expect((compacted.retiredFiles as string[]).length).toBe(segments.length);
  });
});
