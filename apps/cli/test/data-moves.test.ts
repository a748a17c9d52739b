import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, startWriter, store, tempDir } from "./helpers.js";

async function scanned(dir: string): Promise<string> {
  const result = await store(["scan", dir, "--json"]);
  expect(result.code).toBe(0);
  return result.stdout;
}

describe("store backup", () => {
  it("a backup taken while a writer runs opens and holds a prefix of its writes with every acknowledged one", async () => {
    const dir = join(await tempDir(), "data");
    const dest = join(await tempDir(), "copy");
    const writer = await startWriter(dir, { segmentBytesMax: 8192 });
    try {
      await writer.write(100);
      const running = writer.concurrent(3000);
      await writer.child.until(() => writer.acknowledged().length > 600);
      const acknowledged = Math.max(...writer.acknowledged());
      const result = await store(["backup", dir, dest, "--json"]);
      await running;
      expect(result.code).toBe(0);
      const { seq } = json<{ seq: number }>(result);
      expect(seq).toBeGreaterThanOrEqual(acknowledged);
      // Every write is a new key k/<i> at its own seq: the copy holds exactly the seqs 1..seq.
      const stats = json(await store(["stats", dest, "--json"]));
      expect(stats).toMatchObject({ seq, keys: seq, recovery: { tornTail: null }, lock: null });
      expect((await store(["verify", dest])).code).toBe(0);
    } finally {
      await writer.exit();
    }
  });

  it("a destination that holds files exits 2, untouched", async () => {
    const dir = join(await tempDir(), "data");
    await store(["set", dir, "a", "1"]);
    const dest = await tempDir();
    await writeFile(join(dest, "keep.txt"), "mine");
    expect(await store(["backup", dir, dest])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^store: STORE_IO: .* is not empty/u) as unknown });
    expect(await readdir(dest)).toEqual(["keep.txt"]);
  });
});

describe("store export and import", () => {
  it("export to stdout and to a file, stamped with its seq; import into a new folder gives the same keys", async () => {
    const dir = join(await tempDir(), "data");
    for (let i = 0; i < 5; i += 1) await store(["set", dir, `k/${i}`, JSON.stringify({ i })]);
    await store(["compact", dir]);
    await store(["set", dir, "k/1", '"changed"']);
    await store(["del", dir, "k/2"]);
    const out = await store(["export", dir]);
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ format: "store-export", v: 1, seq: 7 });
    expect(lines.at(-1)).toEqual({ end: true, entries: 4 });
    const file = join(await tempDir(), "export.json");
    const written = await store(["export", dir, "--format", "json", "--out", file, "--json"]);
    expect(json(written)).toMatchObject({ seq: 7, keys: 4, format: "json", out: file });
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ seq: 7, count: 4 });
    const target = join(await tempDir(), "new");
    expect(json(await store(["import", target, file, "--json"]))).toMatchObject({ imported: 4, exportSeq: 7, how: "new-folder" });
    const strip = (text: string): unknown[] => text.trim().split("\n").map((line) => (({ key, value }: { key: string; value: unknown }) => ({ key, value }))(JSON.parse(line) as { key: string; value: unknown }));
    expect(strip(await scanned(target))).toEqual(strip(await scanned(dir)));
  });

  it("import of a file with a bad line in the middle imports nothing and exits 1 naming the line", async () => {
    const dir = join(await tempDir(), "data");
    for (let i = 0; i < 10; i += 1) await store(["set", dir, `k/${i}`, String(i)]);
    const lines = (await store(["export", dir])).stdout.split("\n");
    lines[4] = `{"key":"k/3","value":`;
    const file = join(await tempDir(), "bad.jsonl");
    await writeFile(file, lines.join("\n"));
    const target = join(await tempDir(), "target");
    await store(["set", target, "mine", "true"]);
    const before = await scanned(target);
    const result = await store(["import", target, file]);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/^store: STORE_CORRUPTED: .*line 5 .*Nothing was written/u) as unknown });
    expect(await scanned(target)).toBe(before);
    expect(await store(["import", join(await tempDir(), "fresh"), file])).toMatchObject({ code: 1 });
  });

  it("export of 100,000 keys (about 110 MB of values) runs in a 64 MB heap: it never holds the keyspace", async () => {
    const dir = join(await tempDir(), "data");
    const writer = await startWriter(dir, { segmentBytesMax: 16 * 1024 * 1024, padBytes: 1000 });
    try {
      // ~1 KiB per value, as k/<i> = { i, pad }: 90,000 in the base, 10,000 written after it.
      for (let done = 0; done < 90_000; done += 5000) await writer.concurrent(5000);
      await writer.compact();
      await writer.concurrent(10_000);
    } finally {
      await writer.exit();
    }
    const file = join(await tempDir(), "big.jsonl");
    // A heap far smaller than the data: an export that held every value (or key and value) would die of it.
    const result = await store(["export", dir, "--out", file, "--json"], { nodeArgs: ["--max-old-space-size=64"] });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(json(result)).toMatchObject({ seq: 100_000, keys: 100_000 });
    expect((await readFile(file)).length).toBeGreaterThan(100 * 1024 * 1024);
  });
});
