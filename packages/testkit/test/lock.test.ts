import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock, NodeFileSystem, readLockOwner, type FileSystem, type ProcessProbe } from "@store/fs";
import { PowerCutError, runWithSeed, SimulatedDisk } from "../src/index.js";

/** The processes a probe can see: pid -> start ticks. */
type ProcessTable = Map<number, number | null>;

function probeFor(pid: number, host: string, table: ProcessTable): ProcessProbe {
  return { pid, host, startTicksOf: (other) => (table.has(other) ? table.get(other) : undefined) };
}

interface Folder {
  readonly fs: FileSystem;
  readonly dir: string;
  cleanup(): Promise<void>;
}

const disks: readonly { name: string; make(): Promise<Folder> }[] = [
  {
    name: "real disk",
    async make() {
      const dir = await mkdtemp(join(tmpdir(), "store-testkit-lock-"));
      return { fs: new NodeFileSystem(), dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: "simulated disk",
    async make() {
      const disk = new SimulatedDisk();
      await disk.fs.mkdir("/data");
      return { fs: disk.fs, dir: "/data", cleanup: async () => undefined };
    },
  },
];

for (const disk of disks) {
  describe(`acquireLock on the ${disk.name}`, () => {
    const withFolder = async (body: (folder: Folder) => Promise<void>): Promise<void> => {
      const folder = await disk.make();
      try {
        await body(folder);
      } finally {
        await folder.cleanup();
      }
    };

    it("a second acquire by the same live process fails with STORE_LOCKED saying it is already open in this process", () =>
      withFolder(async ({ fs, dir }) => {
        const probe = probeFor(100, "host-a", new Map([[100, 5000]]));
        const lock = await acquireLock(fs, dir, { probe });
        await expect(acquireLock(fs, dir, { probe })).rejects.toMatchObject({
          code: "STORE_LOCKED",
          owner: { pid: 100, host: "host-a" },
          message: expect.stringMatching(/already open in this process \(pid 100/) as unknown,
        });
        await lock.release();
        expect(await readLockOwner(fs, dir)).toBeUndefined();
        const again = await acquireLock(fs, dir, { probe });
        await again.release();
      }));

    it("another live process on the same host is named by pid and host", () =>
      withFolder(async ({ fs, dir }) => {
        const table: ProcessTable = new Map([
          [100, 5000],
          [200, 6000],
        ]);
        const lock = await acquireLock(fs, dir, { probe: probeFor(100, "host-a", table) });
        const error = await acquireLock(fs, dir, { probe: probeFor(200, "host-a", table) }).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ code: "STORE_LOCKED", message: expect.stringMatching(/locked by pid 100 on host host-a/) as unknown });
        expect((error as Error).message).not.toContain("this process");
        await lock.release();
      }));

    it("a lock whose pid is dead is taken over, and the dead holder's release leaves the new lock alone", () =>
      withFolder(async ({ fs, dir }) => {
        const table: ProcessTable = new Map([[100, 5000]]);
        const first = await acquireLock(fs, dir, { probe: probeFor(100, "host-a", table) });
        table.delete(100);
        table.set(200, 6000);
        const second = await acquireLock(fs, dir, { probe: probeFor(200, "host-a", table) });
        expect(await readLockOwner(fs, dir)).toMatchObject({ pid: 200, host: "host-a", processStartTicks: 6000 });
        await first.release();
        expect(await readLockOwner(fs, dir)).toMatchObject({ pid: 200 });
        await second.release();
      }));

    it("a lock whose pid was reused by a later process (other start ticks) is taken over", () =>
      withFolder(async ({ fs, dir }) => {
        const table: ProcessTable = new Map([[100, 5000]]);
        await acquireLock(fs, dir, { probe: probeFor(100, "host-a", table) });
        table.set(100, 9000);
        table.set(200, 6000);
        await acquireLock(fs, dir, { probe: probeFor(200, "host-a", table) });
        expect(await readLockOwner(fs, dir)).toMatchObject({ pid: 200 });
      }));

    it("a lock held from another host is never taken over, even if that pid is unknown here", () =>
      withFolder(async ({ fs, dir }) => {
        await acquireLock(fs, dir, { probe: probeFor(100, "host-b", new Map([[100, 5000]])) });
        await expect(acquireLock(fs, dir, { probe: probeFor(200, "host-a", new Map([[200, 6000]])) })).rejects.toMatchObject({
          code: "STORE_LOCKED",
          message: expect.stringMatching(/pid 100 on host host-b/) as unknown,
        });
        expect(await readLockOwner(fs, dir)).toMatchObject({ pid: 100, host: "host-b" });
      }));
  });
}

describe("acquireLock under power cuts (simulated disk)", () => {
  const SEEDS_PER_CUT = 6;

  /** Cuts the power at every operation of `acquire`; after each crash the lock is absent or whole. */
  async function everyCut(setup: (disk: SimulatedDisk) => Promise<void>, acquire: (fs: FileSystem) => Promise<unknown>): Promise<Set<number | undefined>> {
    const holders = new Set<number | undefined>();
    for (let cutIndex = 0; cutIndex < 100; cutIndex += 1) {
      const disk = new SimulatedDisk();
      await disk.fs.mkdir("/data");
      await disk.fs.fsyncDir("/");
      await setup(disk);
      disk.cutPowerAt(disk.operationCount + cutIndex);
      const completed = await acquire(disk.fs).then(
        () => true,
        (error: unknown) => {
          if (!(error instanceof PowerCutError)) throw error;
          return false;
        },
      );
      for (let i = 0; i < SEEDS_PER_CUT; i += 1) {
        await runWithSeed(cutIndex * 100 + i, async (rng) => {
          const revived = disk.crash(rng);
          const owner = await readLockOwner(revived.fs, "/data");
          holders.add(owner?.pid);
          if (completed) expect(owner?.pid, `cut ${cutIndex}, after acquire resolved`).toBe(200);
          // After the reboot every earlier holder is dead: a new process must get the lock.
          const next = await acquireLock(revived.fs, "/data", { probe: probeFor(300, "host-a", new Map([[300, 7000]])) });
          expect(await readLockOwner(revived.fs, "/data")).toMatchObject({ pid: 300 });
          await next.release();
        });
      }
      if (completed) return holders;
    }
    throw new Error("acquireLock did not complete within 100 operations");
  }

  it("a power cut at every operation of acquire leaves no lock or a whole one", async () => {
    const probe = probeFor(200, "host-a", new Map([[200, 6000]]));
    const holders = await everyCut(async () => undefined, (fs) => acquireLock(fs, "/data", { probe }));
    expect(holders).toEqual(new Set([undefined, 200]));
  });

  it("a power cut at every operation of a takeover leaves the stale lock, no lock, or the new whole lock", async () => {
    const table: ProcessTable = new Map([[200, 6000]]);
    const holders = await everyCut(
      async (disk) => {
        await acquireLock(disk.fs, "/data", { probe: probeFor(100, "host-a", new Map([[100, 5000]])) });
      },
      (fs) => acquireLock(fs, "/data", { probe: probeFor(200, "host-a", table) }),
    );
    expect(holders.has(100)).toBe(true);
    expect(holders.has(200)).toBe(true);
    for (const holder of holders) expect([undefined, 100, 200]).toContain(holder);
  });
});
