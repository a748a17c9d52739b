import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAIN, spawnLines, startWriter, store, tempDir } from "./helpers.js";

const upTo = (n: number): number[] => Array.from({ length: n }, (_, index) => index + 1);

describe("store tail", () => {
  it("--follow prints every record of a writer across segment rolls and a compaction, once each, in order; Ctrl-C exits 0", async () => {
    const dir = join(await tempDir(), "data");
    const writer = await startWriter(dir, { segmentBytesMax: 2048 });
    const tail = spawnLines([MAIN, "tail", dir, "--follow", "--from", "1", "--json"]);
    const seen = (): number[] => tail.lines.map((line) => (JSON.parse(line) as { seq: number }).seq);
    try {
      await writer.write(50);
      await tail.until(() => seen().includes(50));
      await writer.concurrent(300);
      await writer.compact();
      await writer.write(30);
      await writer.compact();
      const last = await writer.write(20);
      await tail.until(() => seen().includes(last));
      expect(seen()).toEqual(upTo(last));
      tail.process.kill("SIGINT");
      expect(await tail.exited).toBe(0);
      expect(tail.stderr).toEqual([]);
    } finally {
      tail.process.kill("SIGKILL");
      await writer.exit();
    }
  });

  it("without --follow prints the last records and exits; --from reads compacted records from backups/", async () => {
    const dir = join(await tempDir(), "data");
    const writer = await startWriter(dir, { segmentBytesMax: 1024 });
    await writer.write(30);
    await writer.compact();
    await writer.write(5);
    await writer.exit();
    const last = await store(["tail", dir, "-n", "3"]);
    expect(last.code).toBe(0);
    expect(last.stdout.trim().split("\n").map((line) => line.split("\t")[0])).toEqual(["33", "34", "35"]);
    expect(last.stdout.split("\n")[0]).toMatch(/^33\t\d{4}-\d\d-\d\dT[^\t]+Z\tset\tk\/000032\t\{"i":32,/u);
    const all = await store(["tail", dir, "--from", "1", "--json"]);
    expect(all.stdout.trim().split("\n").map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual(upTo(35));
  });

  it("records no longer kept anywhere exit 1 with STORE_HISTORY_GONE", async () => {
    const dir = join(await tempDir(), "data");
    const writer = await startWriter(dir, { segmentBytesMax: 1024, backupsMax: 0 });
    await writer.write(30);
    await writer.compact();
    await writer.exit();
    const result = await store(["tail", dir, "--from", "2"]);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/^store: STORE_HISTORY_GONE: /u) as unknown });
  });
});
