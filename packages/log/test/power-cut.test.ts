import { Rng, SimulatedDisk, isPowerCut, runWithSeed } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { DATA_DIR, modelAt, openOnDisk, runWorkload, stateOf, type Model, type WorkloadResult } from "./sim-helpers.js";

const CRASH_SEEDS_PER_CUT = 4;

/**
 * After a power cut the recovered state must be the state after some prefix of the issued writes
 * (in seq order) that contains every acknowledged one: nothing acknowledged lost, no batch half
 * applied, nothing invented.
 */
async function checkRecovered(disk: SimulatedDisk, boot: number, initial: { state: Model; seq: number }, result: WorkloadResult): Promise<void> {
  const store = await openOnDisk(disk, boot);
  try {
    const recoveredSeq = store.seq;
    const maxAcknowledged = Math.max(0, ...result.acknowledged);
    expect(recoveredSeq, "every acknowledged write survives").toBeGreaterThanOrEqual(maxAcknowledged);
    expect(recoveredSeq, "nothing beyond what was issued").toBeLessThanOrEqual(Math.max(initial.seq, ...result.issued.map((write) => write.seq)));
    expect(stateOf(store)).toEqual(modelAt(initial.state, result.issued, recoveredSeq));
    await store.set("after/recovery", true);
  } finally {
    await store.close();
  }
}

describe("power loss at every operation index", () => {
  it.each([
    ["each write landing when issued", false],
    ["writes in flight landing in any order", true],
  ])("a concurrent write workload loses no acknowledged write and applies no batch by halves (%s)", async (_, late) => {
    let cuts = 0;
    for (let cutIndex = 0; ; cutIndex += 1) {
      const disk = new SimulatedDisk();
      if (late) disk.landWritesLate(new Rng(cutIndex));
      const store = await openOnDisk(disk, 1);
      disk.cutPowerAt(disk.operationCount + cutIndex);
      const result = await runWorkload(store, new Rng(cutIndex), 100, 4);
      await store.close().catch((error: unknown) => {
        if (!isPowerCut(error)) throw error;
      });
      for (let attempt = 0; attempt < CRASH_SEEDS_PER_CUT; attempt += 1) {
        await runWithSeed(cutIndex * 100 + attempt, async (rng) => {
          await checkRecovered(disk.crash(rng), 2, { state: new Map(), seq: 0 }, result);
        });
      }
      cuts += 1;
      if (!disk.powerIsCut) break;
    }
    expect(cuts).toBeGreaterThan(20);
  });

  it("a compaction running under writes leaves the old state or the new, never neither", async () => {
    let cuts = 0;
    for (let cutIndex = 0; ; cutIndex += 1) {
      const disk = new SimulatedDisk();
      const setup = await openOnDisk(disk, 1, { segmentBytesMax: 1500 });
      const before = await runWorkload(setup, new Rng(7), 30);
      expect(before.completed).toBe(true);
      const initial = { state: stateOf(setup), seq: setup.seq };
      disk.cutPowerAt(disk.operationCount + cutIndex);
      const [result] = await Promise.all([
        runWorkload(setup, new Rng(cutIndex), 20, 4),
        setup.compact().catch((error: unknown) => {
          if (!isPowerCut(error) && (error as { code?: string }).code !== "STORE_FAILED" && (error as { code?: string }).code !== "STORE_IO") throw error;
        }),
      ]);
      await setup.close().catch(() => undefined);
      for (let attempt = 0; attempt < CRASH_SEEDS_PER_CUT; attempt += 1) {
        await runWithSeed(cutIndex * 100 + attempt, async (rng) => {
          await checkRecovered(disk.crash(rng), 2, initial, result);
        });
      }
      cuts += 1;
      if (!disk.powerIsCut) {
        const files = [...disk.files().keys()].filter((path) => path.startsWith(`${DATA_DIR}/`));
        expect(files.some((path) => path.endsWith(".base")), "the uninterrupted run compacted").toBe(true);
        break;
      }
    }
    expect(cuts).toBeGreaterThan(20);
  });
});

describe("power loss with sync: \"none\" and \"interval\"", () => {
  it("always opens (damage in the last unsynced segment ends the log), keeps everything up to the last checkpoint, and never mixes", async () => {
    for (let round = 0; round < 40; round += 1) {
      const sync = round % 2 === 0 ? "none" : "interval";
      const disk = new SimulatedDisk();
      const store = await openOnDisk(disk, 1, { sync, syncIntervalMs: 5 });
      const first = await runWorkload(store, new Rng(round), 30, 4);
      const { seq: checkpointed } = await store.checkpoint();
      const second = await runWorkload(store, new Rng(round + 1000), 30, 4);
      const issued = [...first.issued, ...second.issued];
      for (let attempt = 0; attempt < 5; attempt += 1) {
        await runWithSeed(round * 100 + attempt, async (rng) => {
          const reopened = await openOnDisk(disk.crash(rng), 2);
          expect(reopened.seq, "everything before the checkpoint survives").toBeGreaterThanOrEqual(checkpointed);
          expect(stateOf(reopened)).toEqual(modelAt(new Map(), issued, reopened.seq));
          await reopened.close();
        });
      }
      await store.close();
    }
  });
});
