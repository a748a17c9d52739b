import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { followLog, openStore, type JsonValue } from "@store/log";
import { describe, expect, it } from "vitest";
import { json, store, tempDir } from "./helpers.js";

/** Every file under `dir` and its bytes, by relative path. */
async function folderBytes(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.set(join(entry.parentPath, entry.name).slice(dir.length), (await readFile(join(entry.parentPath, entry.name))).toString("base64"));
  }
  return files;
}

async function contents(dir: string): Promise<Map<string, JsonValue>> {
  const opened = await openStore(dir, { readOnly: true });
  try {
    return new Map(opened.range().map(({ key, value }) => [key, value]));
  } finally {
    await opened.close();
  }
}

/** 36 writes and three compactions (backupsMax 1: only the last one's backup is kept); the model after each write by seq. */
async function history(dir: string): Promise<{ states: Map<number, Map<string, JsonValue>>; compactedAt: number[] }> {
  const opened = await openStore(dir, { backupsMax: 1, segmentBytesMax: 400 });
  const model = new Map<string, JsonValue>();
  const states = new Map<number, Map<string, JsonValue>>();
  const compactedAt: number[] = [];
  try {
    for (let i = 1; i <= 36; i += 1) {
      const key = `players/${i % 5}`;
      if (i % 4 === 0 && model.has(key)) {
        await opened.delete(key);
        model.delete(key);
      } else {
        await opened.set(key, { tokens: i });
        model.set(key, { tokens: i });
      }
      states.set(opened.seq, new Map(model));
      if (i % 10 === 0) {
        await opened.compact();
        compactedAt.push(opened.seq);
      }
    }
  } finally {
    await opened.close();
  }
  return { states, compactedAt };
}

describe("restore", () => {
  it("restores a seq from the backups and from the live files, and a time; too old exits 1; DIR is untouched", async () => {
    const root = await tempDir();
    const dir = join(root, "data");
    const { states, compactedAt } = await history(dir);
    const before = await folderBytes(dir);
    const oldest = compactedAt[1] ?? 0;
    const last = Math.max(...states.keys());
    for (const seq of [oldest, oldest + 3, last]) {
      const out = join(root, `seq-${seq}`);
      const result = await store(["restore", dir, "--seq", String(seq), "--out", out, "--json"]);
      expect(result.code, result.stderr).toBe(0);
      expect(json(result)).toMatchObject({ dir, out, seq, keys: states.get(seq)?.size });
      expect(await contents(out)).toEqual(states.get(seq));
    }
    const written: Array<{ seq: number; ts: number }> = [];
    for await (const { seq, record } of followLog(dir, { afterSeq: oldest, follow: false })) written.push({ seq, ts: record.ts });
    const target = written[5] ?? { seq: 0, ts: 0 };
    const expected = Math.max(...written.filter((record) => record.ts <= target.ts).map((record) => record.seq));
    const atOut = join(root, "at");
    const at = await store(["restore", dir, "--at", new Date(target.ts).toISOString(), "--out", atOut]);
    expect(at.code, at.stderr).toBe(0);
    expect(at.stdout).toContain(`as of seq ${expected}`);
    expect(await contents(atOut)).toEqual(states.get(expected));

    const gone = await store(["restore", dir, "--seq", String(oldest - 1), "--out", join(root, "gone")]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(new RegExp(`^store: STORE_HISTORY_GONE: .*oldest seq it can restore is ${oldest}\\b`, "u"));
    expect(await folderBytes(dir)).toEqual(before);
  });

  it("refuses a NEWDIR that is not empty (exit 2, nothing written) and a bad command line (exit 2)", async () => {
    const root = await tempDir();
    const dir = join(root, "data");
    await history(dir);
    const busy = join(root, "busy");
    await mkdir(busy);
    await writeFile(join(busy, "keep.txt"), "mine");
    const refused = await store(["restore", dir, "--seq", "3", "--out", busy]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("STORE_IO");
    expect(await readdir(busy)).toEqual(["keep.txt"]);
    for (const args of [["restore", dir, "--seq", "3", "--at", "2026-11-29T10:04:00Z", "--out", join(root, "x")], ["restore", dir, "--out", join(root, "x")], ["restore", dir, "--seq", "3"], ["restore", dir, "--at", "yesterday", "--out", join(root, "x")], ["restore", dir, "--seq", "30", "--out", join(dir, "inside")]]) {
      const result = await store(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toContain("--help");
    }
    expect(await readdir(root)).toEqual(["busy", "data"]);
  });
});
