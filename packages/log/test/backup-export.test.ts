import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backupFolder, exportEntries, exportLines, importEntries, openStore, type ExportFormat } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { startWriter } from "./child-process.js";

async function exportText(dir: string, format: ExportFormat = "jsonl"): Promise<{ text: string; seq: number }> {
  const exported = await exportEntries(dir);
  let text = "";
  try {
    for await (const line of exportLines(exported, format)) text += line;
  } finally {
    await exported.close();
  }
  return { text, seq: exported.seq };
}

async function stateOf(dir: string): Promise<Map<string, unknown>> {
  const store = await openStore(dir, { readOnly: true });
  try {
    return new Map(store.scan());
  } finally {
    await store.close();
  }
}

describe("backupFolder", () => {
  it("a backup taken while 2,000 concurrent writes run holds every write acknowledged before it began, and opens", async () => {
    const dir = join(await tempDir(), "data");
    const dest = join(await tempDir(), "copy");
    const writer = await startWriter(dir, { segmentBytesMax: 8192 });
    try {
      await writer.concurrent(64);
      const running = writer.concurrent(2000);
      await writer.child.until(() => writer.acknowledged().length > 500);
      const acknowledged = writer.acknowledged();
      const result = await backupFolder(dir, dest);
      await running;
      const store = await openStore(dest, { readOnly: true });
      try {
        expect(store.seq).toBe(result.seq);
        expect(store.recovery.tornTail).toBeNull();
        for (const seq of acknowledged) expect(seq).toBeLessThanOrEqual(store.seq);
        // A prefix of the writes: every seq up to the copy's is there, nothing after.
        expect(store.stats().keys).toBe(store.seq);
      } finally {
        await store.close();
      }
      expect(await readdir(dest)).not.toContain("LOCK");
    } finally {
      await writer.exit();
    }
  });

  it("refuses a destination that holds anything, writing nothing", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir);
    await store.set("a", 1);
    await store.close();
    const dest = await tempDir();
    await writeFile(join(dest, "notes.txt"), "mine");
    await expect(backupFolder(dir, dest)).rejects.toMatchObject({ code: "STORE_IO" });
    expect(await readdir(dest)).toEqual(["notes.txt"]);
  });

  it("damage in the source is STORE_CORRUPTED naming the file and offset", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir, { segmentBytesMax: 512 });
    for (let i = 0; i < 30; i += 1) await store.set(`k/${i}`, i);
    await store.close();
    const first = (await readdir(dir)).find((name) => name.endsWith(".log"))!;
    const bytes = await readFile(join(dir, first));
    bytes[bytes.indexOf(0x0a) + 12]! ^= 0x02;
    await writeFile(join(dir, first), bytes);
    await expect(backupFolder(dir, join(await tempDir(), "copy"))).rejects.toMatchObject({ code: "STORE_CORRUPTED", offset: bytes.indexOf(0x0a) + 1 });
  });
});

describe("exportEntries", () => {
  it("exports exactly the state at its seq, base and later writes merged, deletions left out", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir, { segmentBytesMax: 2048 });
    for (let i = 0; i < 200; i += 1) await store.set(`k/${i}`, { i });
    await store.compact();
    for (let i = 0; i < 50; i += 1) await store.set(`k/${i}`, { i, changed: true });
    await store.batch([{ type: "delete", key: "k/60" }, { type: "set", key: "new", value: [1, 2] }]);
    await store.delete("k/61");
    const expected = new Map(store.scan());
    const seq = store.seq;
    await store.close();
    const exported = await exportEntries(dir);
    const entries = new Map<string, unknown>();
    try {
      expect(exported.seq).toBe(seq);
      expect(exported.keysSinceBase).toBe(53);
      for await (const entry of exported.entries()) {
        expect(entries.has(entry.key)).toBe(false);
        entries.set(entry.key, entry.value);
      }
    } finally {
      await exported.close();
    }
    expect(entries).toEqual(expected);
  });

  it("stays at one seq while the writer goes on and compacts", async () => {
    const dir = join(await tempDir(), "data");
    const writer = await startWriter(dir, { segmentBytesMax: 4096 });
    try {
      await writer.write(300);
      const exported = await exportEntries(dir);
      await writer.concurrent(200);
      await writer.compact();
      const keys: string[] = [];
      for await (const entry of exported.entries()) keys.push(entry.key);
      await exported.close();
      expect(exported.seq).toBeGreaterThanOrEqual(300);
      expect(keys.length).toBe(exported.seq);
    } finally {
      await writer.exit();
    }
  });
});

describe("importEntries", () => {
  it("an export imported into a new folder gives the same state, in both formats", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir);
    for (let i = 0; i < 2500; i += 1) await store.batch([{ type: "set", key: `p/${i}`, value: { i, name: `n${i}` } }]);
    await store.close();
    for (const format of ["jsonl", "json"] as const) {
      const { text, seq } = await exportText(dir, format);
      const file = join(await tempDir(), `export.${format}`);
      await writeFile(file, text);
      if (format === "json") expect(JSON.parse(text)).toMatchObject({ format: "store-export", seq, count: 2500 });
      const target = join(await tempDir(), "imported");
      expect(await importEntries(target, file)).toMatchObject({ imported: 2500, exportSeq: seq, how: "new-folder" });
      expect(await stateOf(target)).toEqual(await stateOf(dir));
    }
  });

  it("a bad line in the middle imports nothing, and names the line", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir);
    for (let i = 0; i < 10; i += 1) await store.set(`p/${i}`, i);
    await store.close();
    const lines = (await exportText(dir)).text.split("\n");
    lines[5] = lines[5]!.slice(0, 10);
    const file = join(await tempDir(), "bad.jsonl");
    await writeFile(file, lines.join("\n"));
    const target = join(await tempDir(), "target");
    const existing = await openStore(target);
    await existing.set("mine", true);
    await existing.close();
    await expect(importEntries(target, file)).rejects.toMatchObject({ code: "STORE_CORRUPTED", message: expect.stringContaining("line 6") as unknown });
    expect(await stateOf(target)).toEqual(new Map([["mine", true]]));
  });

  it("a file cut short, or with a key the store refuses, imports nothing", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir);
    for (let i = 0; i < 10; i += 1) await store.set(`p/${i}`, i);
    await store.close();
    const { text } = await exportText(dir);
    const cut = join(await tempDir(), "cut.jsonl");
    await writeFile(cut, text.split("\n").slice(0, 8).join("\n"));
    const target = join(await tempDir(), "new");
    await expect(importEntries(target, cut)).rejects.toMatchObject({ code: "STORE_CORRUPTED", message: expect.stringContaining("cut short") as unknown });
    const badKey = join(await tempDir(), "bad-key.jsonl");
    await writeFile(badKey, text.replace('"key":"p/3"', '"key":"p/\\u0001"'));
    await expect(importEntries(target, badKey)).rejects.toMatchObject({ code: "STORE_INVALID_KEY" });
    expect(await readdir(join(target, ".."))).toEqual([]);
  });

  it("into an existing store: one atomic batch, or STORE_TOO_LARGE with nothing written", async () => {
    const dir = join(await tempDir(), "data");
    const store = await openStore(dir);
    for (let i = 0; i < 30; i += 1) await store.set(`p/${i}`, i);
    await store.close();
    const file = join(await tempDir(), "export.jsonl");
    await writeFile(file, (await exportText(dir)).text);
    const target = join(await tempDir(), "target");
    const existing = await openStore(target);
    await existing.set("mine", true);
    await existing.close();
    await expect(importEntries(target, file, { storeOptions: { batchOpsMax: 10 } })).rejects.toMatchObject({ code: "STORE_TOO_LARGE" });
    expect((await stateOf(target)).size).toBe(1);
    expect(await importEntries(target, file)).toMatchObject({ imported: 30, how: "batch", seq: 2 });
    expect((await stateOf(target)).size).toBe(31);
  });
});
