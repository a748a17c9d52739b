import { nodeFileSystem, type FileSystem } from "@store/fs";
import { SimulatedDisk, delegatingFs, delegatingHandle } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { openStore, readLog, type LogEntry } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { DATA_DIR, openOnDisk } from "./sim-helpers.js";

/** Counts file handles opened and closed. */
function handleCountingFs(fs: FileSystem): { fs: FileSystem; open: () => number } {
  let opened = 0;
  let closed = 0;
  return {
    fs: {
      ...delegatingFs(fs),
      open: async (path, flags) => {
        const handle = await fs.open(path, flags);
        opened += 1;
        let closedOnce = false;
        return {
          ...delegatingHandle(handle),
          close: async () => {
            if (!closedOnce) closed += 1;
            closedOnce = true;
            await handle.close();
          },
        };
      },
    },
    open: () => opened - closed,
  };
}

/** A folder with a base and three segments. */
async function folderWithSeveralFiles(): Promise<string> {
  const dir = await tempDir();
  const store = await openStore(dir, { segmentBytesMax: 300 });
  for (let index = 0; index < 10; index += 1) await store.set(`k/${index}`, { index });
  await store.compact();
  for (let index = 0; index < 10; index += 1) await store.set(`k/${index}`, { index, again: true });
  await store.close();
  return dir;
}

describe("readLog closes every file it opens", () => {
  it("after a caller breaks out of the loop, 200 times", async () => {
    const dir = await folderWithSeveralFiles();
    const counting = handleCountingFs(nodeFileSystem);
    for (let round = 0; round < 200; round += 1) {
      let seen = 0;
      for await (const entry of readLog(dir, { fs: counting.fs })) {
        expect(entry.record.op).toBeTypeOf("string");
        seen += 1;
        if (seen === 1 + (round % 15)) break;
      }
      expect(counting.open(), `round ${round}: handles left open after a break`).toBe(0);
    }
  });

  it("after the caller's loop body throws", async () => {
    const dir = await folderWithSeveralFiles();
    const counting = handleCountingFs(nodeFileSystem);
    const body = async (): Promise<void> => {
      for await (const entry of readLog(dir, { fs: counting.fs })) if (entry.record.op === "set") throw new Error("the caller's bug");
    };
    await expect(body()).rejects.toThrow("the caller's bug");
    expect(counting.open()).toBe(0);
  });

  it("after readLog itself throws on damage, and after a whole pass", async () => {
    const disk = new SimulatedDisk();
    const store = await openOnDisk(disk, 1, { segmentBytesMax: 300, segmentPreallocateBytes: 0 });
    for (let index = 0; index < 10; index += 1) await store.set(`k/${index}`, { index });
    await store.close();
    const counting = handleCountingFs(disk.fs);
    const entries: LogEntry[] = [];
    for await (const entry of readLog(DATA_DIR, { fs: counting.fs })) entries.push(entry);
    expect(entries.filter((entry) => entry.record.op === "set")).toHaveLength(10);
    expect(counting.open()).toBe(0);
    // Damage a byte in the middle of the first segment's second line: corruption, not a torn tail.
    const first = `${DATA_DIR}/000001.log`;
    const handle = await disk.fs.open(first, "r+");
    const bytes = await disk.fs.readFile(first);
    const target = bytes.indexOf(10) + 20;
    await handle.write(Uint8Array.of(bytes[target]! ^ 1), 0, 1, target);
    await handle.close();
    const read = async (): Promise<void> => {
      for await (const _ of readLog(DATA_DIR, { fs: counting.fs }));
    };
    await expect(read()).rejects.toMatchObject({ code: "STORE_CORRUPTED", path: first });
    expect(counting.open()).toBe(0);
  });
});
