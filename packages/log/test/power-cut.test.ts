import { Rng, SimulatedDisk, isPowerCut, runWithSeed } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { DATA_DIR, modelAt, openOnDisk, runWorkload, stateOf, type Model, type WorkloadResult } from "./sim-helpers.js";

const CRASH_SEEDS_PER_CUT = 4;

/**
 * After a power cut the recovered state must be the state after some prefix of the issued writes
 * (in seq order) that contains every acknowledged one: nothing acknowledged lost, no batch half
 * applied, nothing invented.
 */
async function checkRecovered(disk: SimulatedDisk, boot: number, initial: { state: Model; seq: number }, result: WorkloadResult, acknowledgedIsDurable = true): Promise<void> {
  const store = await openOnDisk(disk, boot);
  try {
    const recoveredSeq = store.seq;
    const maxAcknowledged = Math.max(0, ...result.acknowledged);
    if (acknowledgedIsDurable) expect(recoveredSeq, "every acknowledged write survives").toBeGreaterThanOrEqual(maxAcknowledged);
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

  it.each([["always"], ["interval"], ["none"]] as const)(
    "segments rolling under writes, writes landing in any order, recover to a prefix of the writes (sync %s)",
    async (sync) => {
      let cuts = 0;
      let rolls = 0;
      for (let cutIndex = 0; ; cutIndex += 1) {
        const disk = new SimulatedDisk();
        // Writes in flight land in any order: a zero fill's page may land after an fdatasync issued meanwhile.
        disk.landWritesLate(new Rng(cutIndex));
        // Segments of a few zero-fill steps (2 KiB in the simulation): the workload rolls several times, and
        // a fill is at times still running when a segment rolls.
        const store = await openOnDisk(disk, 1, { sync, segmentBytesMax: 3000 });
        disk.cutPowerAt(disk.operationCount + cutIndex);
        const result = await runWorkload(store, new Rng(cutIndex), 120, 4);
        await store.close().catch((error: unknown) => {
          if (!isPowerCut(error)) throw error;
        });
        for (let attempt = 0; attempt < CRASH_SEEDS_PER_CUT; attempt += 1) {
          await runWithSeed(cutIndex * 100 + attempt, async (rng) => {
            await checkRecovered(disk.crash(rng), 2, { state: new Map(), seq: 0 }, result, sync === "always");
          });
        }
        cuts += 1;
        if (!disk.powerIsCut) {
          rolls = [...disk.files().keys()].filter((path) => path.startsWith(`${DATA_DIR}/`) && path.endsWith(".log")).length;
          break;
        }
      }
      expect(rolls, "the uninterrupted run rolled segments").toBeGreaterThan(3);
      expect(cuts).toBeGreaterThan(20);
    },
  );

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
