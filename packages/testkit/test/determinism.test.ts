import { describe, expect, it } from "vitest";
import { writeAll, type FileSystem } from "@store/fs";
import { PowerCutError, Rng, runWithSeed, SeededRunError, SimulatedDisk } from "../src/index.js";

describe("Rng", () => {
  it("the same seed gives the same sequence, another seed a different one", () => {
    const draw = (seed: number): number[] => {
      const rng = new Rng(seed);
      return [rng.next(), rng.int(1000), Number(rng.bool()), rng.pick([1, 2, 3]), ...rng.bytes(8)];
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(new Rng(42).seed).toBe(42);
  });

  it("stays within its bounds and covers them", () => {
    const rng = new Rng(9);
    const ints = new Set<number>();
    for (let i = 0; i < 2000; i += 1) {
      const value = rng.next();
      expect(value >= 0 && value < 1).toBe(true);
      ints.add(rng.int(7));
    }
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(rng.bool(0)).toBe(false);
    expect(rng.bool(1)).toBe(true);
  });

  it("refuses bad arguments with a TypeError quoting them", () => {
    expect(() => new Rng(1.5)).toThrow(/1\.5/);
    expect(() => new Rng(1).int(0)).toThrow(TypeError);
    expect(() => new Rng(1).pick([])).toThrow(TypeError);
  });
});

/** A random workload on the disk, with a power cut somewhere, then a crash; all choices from the seed. */
async function randomRun(seed: number): Promise<Map<string, Uint8Array>> {
  const rng = new Rng(seed);
  const disk = new SimulatedDisk();
  disk.cutPowerAt(10 + rng.int(60));
  try {
    await randomWorkload(disk.fs, rng);
  } catch (error) {
    if (!(error instanceof PowerCutError)) throw error;
  }
  return disk.crash(rng).files();
}

async function randomWorkload(fs: FileSystem, rng: Rng): Promise<void> {
  const names = ["/a", "/b", "/c"];
  for (let step = 0; step < 80; step += 1) {
    const path = rng.pick(names);
    const action = rng.int(4);
    if (action === 0) {
      const handle = await fs.open(path, "a");
      await writeAll(handle, rng.bytes(1 + rng.int(20)), null);
      if (rng.bool()) await handle.sync();
      await handle.close();
    } else if (action === 1) {
      await fs.rename(path, rng.pick(names)).catch((error: unknown) => {
        if ((error as { code?: string }).code !== "ENOENT") throw error;
      });
    } else if (action === 2) {
      await fs.fsyncDir("/");
    } else {
      await fs.unlink(path).catch((error: unknown) => {
        if ((error as { code?: string }).code !== "ENOENT") throw error;
      });
    }
  }
}

describe("replaying a seed", () => {
  it("the same seed gives the same files after a random workload, power cut and crash", async () => {
    const outcomes = new Set<string>();
    for (let seed = 0; seed < 30; seed += 1) {
      const first = await randomRun(seed);
      expect(await randomRun(seed), `seed ${seed}`).toEqual(first);
      outcomes.add(JSON.stringify([...first].map(([path, bytes]) => [path, Array.from(bytes)])));
    }
    expect(outcomes.size).toBeGreaterThan(20);
  });

  it("a failure inside runWithSeed names the seed and how to replay it", async () => {
    const failing = runWithSeed(1234, (rng) => {
      if (rng.seed === 1234) throw new Error("invariant broken");
    });
    await expect(failing).rejects.toBeInstanceOf(SeededRunError);
    await expect(failing).rejects.toThrow("seed 1234 failed (replay with new Rng(1234)): invariant broken");
    await expect(runWithSeed(5, (rng) => rng.seed)).resolves.toBe(5);
  });
});
