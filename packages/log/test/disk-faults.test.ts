import { Rng, SimulatedDisk, runWithSeed } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { readLog } from "../src/index.js";
import { DATA_DIR, modelAt, openOnDisk, runWorkload, stateOf } from "./sim-helpers.js";

describe("fsync failure", () => {
  it("EIO on the k-th fdatasync fails the store: that write and all later ones reject, and after power loss exactly the acknowledged writes remain", async () => {
    for (let k = 1; k <= 6; k += 1) {
      const disk = new SimulatedDisk();
      const store = await openOnDisk(disk, 1);
      disk.injectFault({ operation: "sync", nth: k, kind: "EIO", pathIncludes: ".log" });
      const result = await runWorkload(store, new Rng(k), 60, 4);
      expect(result.completed, `k=${k}`).toBe(false);
      expect(store.stats().failed).toBe(true);
      await expect(store.set("later", 1)).rejects.toMatchObject({ code: "STORE_FAILED" });
      await expect(store.checkpoint()).rejects.toMatchObject({ code: "STORE_FAILED" });
      await store.close();
      for (let seed = 0; seed < 4; seed += 1) {
        await runWithSeed(k * 10 + seed, async (rng) => {
          const reopened = await openOnDisk(disk.crash(rng), 2);
          const acknowledgedSeq = Math.max(0, ...result.acknowledged);
          expect(reopened.seq).toBe(acknowledgedSeq);
          expect(stateOf(reopened)).toEqual(modelAt(new Map(), result.issued, acknowledgedSeq));
          await reopened.close();
        });
      }
    }
  });
});

describe("a failed seal", () => {
  it("EIO while sealing a rolled segment (cutting its zeros off, behind the writes) fails the store; after power loss every acknowledged write remains", async () => {
    const disk = new SimulatedDisk();
    // Small segments: the workload rolls several times, and each old segment is sealed behind the writes.
    const store = await openOnDisk(disk, 1, { segmentBytesMax: 1500 });
    disk.injectFault({ operation: "truncate", nth: 1, kind: "EIO", pathIncludes: "/000001.log" });
    const result = await runWorkload(store, new Rng(3), 200, 4);
    expect(result.completed).toBe(false);
    expect(store.stats().failed).toBe(true);
    await expect(store.set("later", 1)).rejects.toMatchObject({ code: "STORE_FAILED" });
    await store.close();
    for (let seed = 0; seed < 4; seed += 1) {
      await runWithSeed(seed, async (rng) => {
        const reopened = await openOnDisk(disk.crash(rng), 2);
        const acknowledgedSeq = Math.max(0, ...result.acknowledged);
        expect(reopened.seq).toBeGreaterThanOrEqual(acknowledgedSeq);
        expect(stateOf(reopened)).toEqual(modelAt(new Map(), result.issued, reopened.seq));
        await reopened.close();
      });
    }
  });
});

describe("a failed seal during a compaction", () => {
  it("EIO while sealing the segment a compaction rolled away from fails the compaction and the store, and writes no base", async () => {
    const disk = new SimulatedDisk();
    const store = await openOnDisk(disk, 1);
    for (let index = 0; index < 20; index += 1) await store.set(`k/${index}`, { index });
    const before = stateOf(store);
    disk.injectFault({ operation: "truncate", nth: 1, kind: "EIO", pathIncludes: "/000001.log" });
    await expect(store.compact()).rejects.toMatchObject({ code: "STORE_FAILED" });
    expect(store.stats().failed).toBe(true);
    await store.close();
    expect([...disk.files().keys()].some((path) => path.endsWith(".base"))).toBe(false);
    const reopened = await openOnDisk(disk.crash(new Rng(1)), 2);
    expect(stateOf(reopened)).toEqual(before);
    await reopened.close();
  });
});

describe("disk full", () => {
  it("ENOSPC or a short write at every write index: a typed error, no partial record in the file, and the store works once space is back", async () => {
    let faultsHit = 0;
    for (let nth = 1; nth <= 12; nth += 1) {
      for (const kind of ["ENOSPC", "short-write"] as const) {
        const disk = new SimulatedDisk();
        const store = await openOnDisk(disk, 1);
        disk.injectFault({ operation: "write", nth, kind, pathIncludes: ".log" });
        if (kind === "short-write") disk.injectFault({ operation: "write", nth: nth + 1, kind: "ENOSPC", pathIncludes: ".log" });
        const result = await runWorkload(store, new Rng(nth), 30, 4);
        if (!result.completed) {
          faultsHit += 1;
          expect(result.firstError, `nth=${nth} ${kind}`).toMatchObject({ code: "STORE_IO", cause: { code: "ENOSPC" } });
        }
        expect(store.stats().failed, "disk full does not fail the store").toBe(false);
        disk.clearFaults();
        const { seq } = await store.set("after/space-is-back", nth);
        expect(store.get("after/space-is-back")).toBe(nth);
        const expected = stateOf(store);
        await store.close();
        const records: number[] = [];
        for await (const entry of readLog(DATA_DIR, { fs: disk.fs })) if ("seq" in entry.record) records.push(entry.record.seq);
        expect(records.at(-1), "every record in the file is whole and the last is the newest").toBe(seq);
        const reopened = await openOnDisk(disk, 2);
        expect(reopened.recovery.tornTail, "no partial record was left behind").toBeNull();
        expect(stateOf(reopened)).toEqual(expected);
        for (const acknowledged of result.acknowledged) expect(acknowledged).toBeLessThan(seq);
        await reopened.close();
      }
    }
    expect(faultsHit).toBeGreaterThanOrEqual(16);
  });

  it("a compaction that runs out of space leaves the old state in place and says so", async () => {
    const disk = new SimulatedDisk();
    const store = await openOnDisk(disk, 1);
    for (let index = 0; index < 50; index += 1) await store.set(`k/${index % 10}`, { index });
    const before = stateOf(store);
    disk.injectFault({ operation: "write", nth: 1, kind: "ENOSPC", pathIncludes: ".base" });
    await expect(store.compact()).rejects.toMatchObject({ code: "STORE_IO", message: expect.stringContaining("previous state is in place") as unknown });
    expect(store.stats().lastCompactionError).toContain("ENOSPC");
    await store.set("k/after", 1);
    await store.close();
    const reopened = await openOnDisk(disk, 2);
    expect(stateOf(reopened)).toEqual(new Map([...before, ["k/after", 1]]));
    expect([...disk.files().keys()].some((path) => path.endsWith(".base") || path.endsWith(".tmp"))).toBe(false);
    await reopened.close();
  });
});
