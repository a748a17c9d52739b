import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openStore, type Store } from "../src/index.js";
import { tempDir } from "./helpers.js";

const FILE = /^(\d{6})\.(base|log)$/;

/** What the folder holds: the newest base and the segments at or after it, with their sizes. */
async function liveOnDisk(dir: string): Promise<{ names: string[]; all: string[]; segments: number; bytes: number }> {
  const found = (await readdir(dir)).flatMap((name) => {
    const match = FILE.exec(name);
    return match === null ? [] : [{ name, kind: match[2] === "base" ? "base" : "segment", fileNumber: Number(match[1]) }];
  });
  const baseNumber = Math.max(0, ...found.filter((file) => file.kind === "base").map((file) => file.fileNumber));
  const live = found.filter((file) => (file.kind === "base" ? file.fileNumber === baseNumber : file.fileNumber >= baseNumber));
  let bytes = 0;
  for (const file of live) bytes += (await stat(join(dir, file.name))).size;
  return { names: live.map((file) => file.name).sort(), all: found.map((file) => file.name).sort(), segments: live.filter((file) => file.kind === "segment").length, bytes };
}

const step = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("set" as const), key: fc.integer({ min: 0, max: 20 }), size: fc.integer({ min: 1, max: 900 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("compact" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reopen" as const) }) },
);

describe("the live-file set", () => {
  it("stats and a compaction's retired files agree with the folder through sets, segment rolls, compactions and reopens", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const dir = await tempDir();
        // Small segments roll every few sets; no preallocation, so a file's size is its records.
        const options = { segmentBytesMax: 2048, segmentPreallocateBytes: 0, backupsMax: 0 };
        let store: Store = await openStore(dir, options);
        try {
          for (const [index, action] of steps.entries()) {
            if (action.kind === "set") {
              await store.set(`k${action.key}`, "x".repeat(action.size));
              // Waits for a segment roll the set started, so the folder is listed between steps.
              await store.checkpoint();
            } else if (action.kind === "reopen") {
              await store.close();
              store = await openStore(dir, options);
            } else {
              const before = await liveOnDisk(dir);
              const result = await store.compact();
              const after = await liveOnDisk(dir);
              // Exactly what was live and is no longer was retired: the old base and the segments it covers.
              expect([...result.retiredFiles].sort()).toEqual(before.names.filter((name) => !after.names.includes(name)));
              // Retired files are gone (backupsMax 0), and nothing but the live files is left.
              expect(after.all).toEqual(after.names);
              expect(result.bytesAfter).toBe(after.bytes);
            }
            const onDisk = await liveOnDisk(dir);
            const stats = store.stats();
            expect({ step: index, segments: stats.segments, totalBytes: stats.totalBytes }).toEqual({ step: index, segments: onDisk.segments, totalBytes: onDisk.bytes });
            // A reader sees the same files: every segment it read is live, the last one included.
            const reader = await openStore(dir, { readOnly: true });
            const read = reader.stats();
            await reader.close();
            expect({ step: index, segments: read.segments, totalBytes: read.totalBytes }).toEqual({ step: index, segments: onDisk.segments, totalBytes: onDisk.bytes });
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});
