import { readFile, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { openStore, verifyFolder } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { startWriter } from "./child-process.js";

/** A store with several sealed segments and a compaction behind it. */
async function folderWithSegments(): Promise<string> {
  const dir = join(await tempDir(), "data");
  const store = await openStore(dir, { segmentBytesMax: 600 });
  for (let i = 0; i < 20; i += 1) await store.set(`k/${i}`, { i });
  await store.compact();
  for (let i = 0; i < 30; i += 1) await store.set(`k/${i % 7}`, { i, again: true });
  await store.close();
  return dir;
}

async function segments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(".log")).map((name) => join(dir, name));
}

describe("verifyFolder", () => {
  it("a clean folder verifies with every file and no finding", async () => {
    const dir = await folderWithSegments();
    const report = await verifyFolder(dir);
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.seq).toBe(50);
    expect(report.files.filter((file) => file.kind === "backup").length).toBeGreaterThan(0);
    expect(report.files.filter((file) => file.kind === "segment").length).toBeGreaterThan(2);
  });

  it("a flipped bit is damage named by file and offset, and the files after it are still checked", async () => {
    const dir = await folderWithSegments();
    const [first] = await segments(dir);
    const bytes = await readFile(first!);
    const lineStart = bytes.indexOf(0x0a) + 1; // the first record after the header
    bytes[lineStart + 20]! ^= 0x04;
    await writeFile(first!, bytes);
    const report = await verifyFolder(dir);
    expect(report.ok).toBe(false);
    expect(report.findings).toContainEqual({ severity: "damage", what: expect.stringContaining("checksum mismatch") as unknown, path: first, offset: lineStart });
    // Only that line: the seq gap its loss leaves is the same damage, reported once.
    expect(report.findings.filter((finding) => finding.severity === "damage")).toHaveLength(1);
    expect(report.seq).toBe(50);
  });

  it("a segment cut short before the last is damage at its end; the gap is named at the next segment", async () => {
    const dir = await folderWithSegments();
    const [first, second] = await segments(dir);
    const size = (await readFile(first!)).length;
    await truncate(first!, size - 10);
    const report = await verifyFolder(dir);
    expect(report.ok).toBe(false);
    const damage = report.findings.filter((finding) => finding.severity === "damage");
    expect(damage[0]).toMatchObject({ path: first, what: expect.stringContaining("no newline") as unknown });
    expect(damage[1]).toMatchObject({ path: second, offset: 0, what: expect.stringContaining("records are missing") as unknown });
  });

  it("a missing segment is damage at the first byte of the segment after it", async () => {
    const dir = await folderWithSegments();
    const all = await segments(dir);
    await rm(all[1]!);
    const report = await verifyFolder(dir);
    expect(report.ok).toBe(false);
    expect(report.findings).toContainEqual({ severity: "damage", what: expect.stringContaining("records are missing") as unknown, path: all[2], offset: 0 });
  });

  it("a torn tail in the last segment is a note, not damage", async () => {
    const dir = await folderWithSegments();
    const last = (await segments(dir)).at(-1)!;
    const bytes = await readFile(last);
    const end = bytes.lastIndexOf(0x0a) + 1;
    await writeFile(last, Buffer.concat([bytes.subarray(0, end), Buffer.from('0badc0de {"op":"set","se')]));
    const report = await verifyFolder(dir);
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([{ severity: "note", what: expect.stringContaining("torn tail") as unknown, path: last, offset: end }]);
  });

  it("a backup that does not decompress, or holds a damaged line, is damage", async () => {
    const dir = await folderWithSegments();
    const backups = (await readdir(join(dir, "backups"))).map((name) => join(dir, "backups", name));
    await writeFile(backups[0]!, Buffer.from("not gzip at all"));
    const lines = (await readFile(join(dir, (await readdir(dir)).find((name) => name.endsWith(".log"))!))).toString().split("\n");
    lines[1] = lines[1]!.replace('"k/', '"K/');
    await writeFile(backups[1]!, gzipSync(lines.join("\n")));
    const report = await verifyFolder(dir);
    expect(report.ok).toBe(false);
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: "damage", path: backups[0], what: expect.stringContaining("does not decompress") as unknown }));
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: "damage", path: backups[1], what: expect.stringContaining("checksum mismatch") as unknown }));
  });

  it("a folder being written and compacted by another process verifies clean, and its lock is left alone", async () => {
    const dir = join(await tempDir(), "data");
    const writer = await startWriter(dir, { segmentBytesMax: 4096 });
    try {
      await writer.write(50);
      const lockBefore = await readFile(join(dir, "LOCK"), "utf8");
      const running = writer.concurrent(300);
      const compacting = writer.compact();
      const report = await verifyFolder(dir);
      expect(report.findings.filter((finding) => finding.severity === "damage")).toEqual([]);
      expect(report.seq).toBeGreaterThanOrEqual(50);
      await Promise.all([running, compacting]);
      expect(await readFile(join(dir, "LOCK"), "utf8")).toBe(lockBefore);
    } finally {
      await writer.exit();
    }
  });

  it("no folder is STORE_IO", async () => {
    await expect(verifyFolder(join(await tempDir(), "none"))).rejects.toMatchObject({ code: "STORE_IO" });
  });
});
