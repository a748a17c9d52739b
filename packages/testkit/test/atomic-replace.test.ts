import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { atomicReplace, NodeFileSystem, writeAll, type FileSystem } from "@store/fs";
import { PowerCutError, runWithSeed, SimulatedDisk } from "../src/index.js";
import { encoder, text } from "./helpers.js";

const TARGET = "/data/state.json";
const OLD = "old content that was durable before";
const NEW_CHUNKS = ["new ", "content in ", "three chunks"];
const NEW = NEW_CHUNKS.join("");
const SEEDS_PER_CUT = 8;
const CUT_INDEX_MAX = 100;

async function diskHoldingOld(): Promise<SimulatedDisk> {
  const disk = new SimulatedDisk();
  await disk.fs.mkdir("/data");
  await disk.fs.fsyncDir("/");
  await atomicReplace(disk.fs, TARGET, encoder.encode(OLD));
  return disk;
}

type Replace = (fs: FileSystem) => Promise<void>;

/** Cuts the power at every operation of `replace` and crashes with several seeds; returns the contents seen. */
async function contentsAfterEveryCut(replace: Replace): Promise<Set<string | undefined>> {
  const seen = new Set<string | undefined>();
  for (let cutIndex = 0; cutIndex < CUT_INDEX_MAX; cutIndex += 1) {
    const disk = await diskHoldingOld();
    disk.cutPowerAt(disk.operationCount + cutIndex);
    const completed = await replace(disk.fs).then(
      () => true,
      (error: unknown) => {
        if (!(error instanceof PowerCutError)) throw error;
        return false;
      },
    );
    for (let i = 0; i < SEEDS_PER_CUT; i += 1) {
      await runWithSeed(cutIndex * 1000 + i, (rng) => {
        const content = text(disk.crash(rng).files().get(TARGET));
        seen.add(content);
        if (completed) expect(content, `cut ${cutIndex}, after the replace resolved`).toBe(NEW);
        else expect([OLD, NEW], `cut ${cutIndex}`).toContain(content);
      });
    }
    if (completed) return seen;
  }
  throw new Error(`the replace did not complete within ${CUT_INDEX_MAX} operations`);
}

describe("atomicReplace on the simulated disk", () => {
  it("a power cut at every operation leaves exactly the old or the new content, and the new once it resolved", async () => {
    const seen = await contentsAfterEveryCut((fs) => atomicReplace(fs, TARGET, NEW_CHUNKS.map((chunk) => encoder.encode(chunk))));
    expect(seen).toEqual(new Set([OLD, NEW]));
  });

  it("the same harness catches a replace that skips the fsyncs (the harness can fail)", async () => {
    const naive: Replace = async (fs) => {
      const handle = await fs.open(TARGET, "w");
      for (const chunk of NEW_CHUNKS) await writeAll(handle, encoder.encode(chunk), null);
      await handle.close();
    };
    await expect(contentsAfterEveryCut(naive)).rejects.toThrow(/seed \d+ failed/);
  });

  it("a failed write or fsync leaves the old content and no temp file", async () => {
    for (const fault of [
      { operation: "write", nth: 2, kind: "EIO" },
      { operation: "write", nth: 1, kind: "ENOSPC" },
      { operation: "sync", nth: 1, kind: "EIO" },
      { operation: "rename", nth: 1, kind: "EIO" },
    ] as const) {
      const disk = await diskHoldingOld();
      disk.injectFault(fault);
      await expect(atomicReplace(disk.fs, TARGET, NEW_CHUNKS.map((chunk) => encoder.encode(chunk)))).rejects.toMatchObject({
        code: fault.kind,
      });
      expect(await disk.fs.readdir("/data"), JSON.stringify(fault)).toEqual(["state.json"]);
      expect(text(disk.files().get(TARGET))).toBe(OLD);
    }
  });
});

describe("atomicReplace on the real disk", () => {
  it("replaces the content and leaves no temp file", async () => {
    const root = await mkdtemp(join(tmpdir(), "store-testkit-replace-"));
    try {
      const path = join(root, "state.json");
      await atomicReplace(new NodeFileSystem(), path, encoder.encode(OLD));
      await atomicReplace(new NodeFileSystem(), path, encoder.encode(NEW));
      expect(await readFile(path, "utf8")).toBe(NEW);
      expect(await readdir(root)).toEqual(["state.json"]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("when producing the content fails midway, the old file stays and the temp file is removed", async () => {
    const root = await mkdtemp(join(tmpdir(), "store-testkit-replace-"));
    try {
      const path = join(root, "state.json");
      await atomicReplace(new NodeFileSystem(), path, encoder.encode(OLD));
      async function* failingChunks(): AsyncGenerator<Uint8Array> {
        yield encoder.encode("partial new ");
        throw new Error("source failed");
      }
      await expect(atomicReplace(new NodeFileSystem(), path, failingChunks())).rejects.toThrow("source failed");
      expect(await readFile(path, "utf8")).toBe(OLD);
      expect(await readdir(root)).toEqual(["state.json"]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
