import { describe, expect, it } from "vitest";
import { Rng, SimulatedDisk, isPowerCut } from "../src/index.js";
import { encoder, text, writeSynced } from "./helpers.js";

describe("late writes", () => {
  it("two writes in flight over the same bytes land in either order across seeds; one at a time they land in order", async () => {
    const lastLanded = new Set<string>();
    for (let seed = 0; seed < 40; seed += 1) {
      const disk = new SimulatedDisk();
      disk.landWritesLate(new Rng(seed));
      const handle = await disk.fs.open("/f", "w");
      await Promise.all([handle.write(encoder.encode("first"), 0, 5, 0), handle.write(encoder.encode("later"), 0, 5, 0)]);
      lastLanded.add(text(await disk.fs.readFile("/f"))!);
      await handle.write(encoder.encode("third"), 0, 5, 0);
      expect(text(await disk.fs.readFile("/f"))).toBe("third");
      await handle.close();
    }
    expect(lastLanded).toEqual(new Set(["first", "later"]));
  });

  it("an fdatasync issued while a write is in flight does not cover it: a crash can lose it", async () => {
    let lost = false;
    for (let seed = 0; seed < 40 && !lost; seed += 1) {
      const disk = new SimulatedDisk();
      await writeSynced(disk.fs, "/f", "");
      await disk.fs.fsyncDir("/");
      disk.landWritesLate(new Rng(seed));
      const handle = await disk.fs.open("/f", "r+");
      await Promise.all([handle.write(encoder.encode("data"), 0, 4, 0), handle.datasync()]);
      for (let crashSeed = 0; crashSeed < 10 && !lost; crashSeed += 1) lost = text(disk.crash(new Rng(crashSeed)).files().get("/f")) === "";
      await handle.close();
    }
    expect(lost).toBe(true);
  });

  it("a write in flight when the power goes out never lands", async () => {
    const disk = new SimulatedDisk();
    await writeSynced(disk.fs, "/f", "old");
    await disk.fs.fsyncDir("/");
    disk.landWritesLate(new Rng(1));
    const handle = await disk.fs.open("/f", "r+");
    const writes = Array.from({ length: 8 }, (_, index) => handle.write(encoder.encode(`w${index}`), 0, 2, 0));
    disk.cutPowerAt(disk.operationCount - 1); // out now, with the writes issued and none landed
    const outcomes = await Promise.allSettled(writes);
    const failed = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(failed).toHaveLength(8);
    for (const outcome of failed) expect(isPowerCut(outcome.reason)).toBe(true);
    expect(text(disk.crash(new Rng(1)).files().get("/f"))).toBe("old");
  });
});
