import { readFile, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, startWriter, store, tempDir } from "./helpers.js";

interface Report {
  ok: boolean;
  seq: number;
  findings: Array<{ severity: string; what: string; path: string; offset: number | null }>;
}

/** A folder with several sealed segments, written by a real writer process. */
async function folder(): Promise<{ dir: string; segments: string[] }> {
  const dir = join(await tempDir(), "data");
  const writer = await startWriter(dir, { segmentBytesMax: 1024 });
  await writer.write(40);
  await writer.exit();
  const segments = (await readdir(dir)).filter((name) => name.endsWith(".log")).map((name) => join(dir, name));
  expect(segments.length).toBeGreaterThan(3);
  return { dir, segments };
}

describe("store verify", () => {
  it("a clean folder exits 0", async () => {
    const { dir } = await folder();
    const result = await store(["verify", dir]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^ok: .* up to seq 40; 0 damaged, 0 note\(s\)\n$/u);
  });

  it("a flipped bit exits 1 naming the file and the offset", async () => {
    const { dir, segments } = await folder();
    const bytes = await readFile(segments[1]!);
    const offset = bytes.indexOf(0x0a) + 1;
    bytes[offset + 25]! ^= 0x10;
    await writeFile(segments[1]!, bytes);
    const result = await store(["verify", dir, "--json"]);
    expect(result.code).toBe(1);
    expect(json<Report>(result).findings).toEqual([{ severity: "damage", what: expect.stringContaining("checksum mismatch") as unknown, path: segments[1], offset }]);
    const text = await store(["verify", dir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`damage\t${segments[1]!}\t${offset}\tchecksum mismatch`);
  });

  it("a truncated segment exits 1 naming it and where its records stop", async () => {
    const { dir, segments } = await folder();
    const size = (await readFile(segments[0]!)).length;
    await truncate(segments[0]!, size - 7);
    const report = json<Report>(await store(["verify", dir, "--json"]));
    expect(report.ok).toBe(false);
    expect(report.findings[0]).toMatchObject({ severity: "damage", path: segments[0], what: expect.stringContaining("no newline") as unknown });
    expect(report.findings[0]!.offset).toBeLessThan(size);
  });

  it("a missing segment exits 1 naming the segment after it, at byte 0", async () => {
    const { dir, segments } = await folder();
    await rm(segments[1]!);
    const result = await store(["verify", dir, "--json"]);
    expect(result.code).toBe(1);
    expect(json<Report>(result).findings).toContainEqual({ severity: "damage", what: expect.stringContaining("records are missing") as unknown, path: segments[2], offset: 0 });
  });

  it("a folder being written and compacted by a running writer exits 0 and never takes the lock", async () => {
    const dir = join(await tempDir(), "data");
    const writer = await startWriter(dir, { segmentBytesMax: 4096 });
    try {
      await writer.write(100);
      const lock = await readFile(join(dir, "LOCK"), "utf8");
      const writing = writer.concurrent(1000);
      const compacting = writer.compact();
      const result = await store(["verify", dir, "--json"]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(json<Report>(result).seq).toBeGreaterThanOrEqual(100);
      await Promise.all([writing, compacting]);
      expect(await readFile(join(dir, "LOCK"), "utf8")).toBe(lock);
    } finally {
      await writer.exit();
    }
  });

  it("prints no progress bar in a pipe", async () => {
    const { dir } = await folder();
    expect((await store(["verify", dir])).stderr).toBe("");
  });
});
