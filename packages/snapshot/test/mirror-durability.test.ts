import type { ProcessProbe } from "@store/fs";
import { openStore, type Store } from "@store/log";
import { Rng, SimulatedDisk, isPowerCut } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { createMirror, readJsonFile, readManifest, type JsonValue, type Mirror } from "../src/index.js";

const DATA_DIR = "/data";
const MIRROR_DIR = "/mirror";
const views = { "players.json": "players/", "games.json": "games/" };
const SEEDS = 40;
const WRITES = 40;

/** Each simulated boot is a new process: the pid of an earlier boot is dead, so its lock is stale. */
function bootProbe(boot: number): ProcessProbe {
  const pid = 1000 + boot;
  return { pid, host: "simulated", startTicksOf: (candidate) => (candidate === pid ? boot : undefined) };
}

type Model = Map<string, JsonValue>;

/** The state after the first `seq` writes, as one view shows it. */
function viewAt(writes: readonly (readonly [string, JsonValue])[], seq: number, prefix: string): Record<string, JsonValue> {
  const state: Model = new Map();
  for (const [key, value] of writes.slice(0, seq)) state.set(key, value);
  const view: Record<string, JsonValue> = {};
  for (const key of [...state.keys()].sort()) if (key.startsWith(prefix)) view[key.slice(prefix.length)] = state.get(key)!;
  return view;
}

/** Swallows what a power cut makes fail (directly or wrapped); anything else is a bug. */
function unlessPowerCut(error: unknown): void {
  if (!isPowerCut(error)) throw error;
}

/**
 * One seeded run: sequential writes (write i gets seq i) with mirror flushes at seeded points, the
 * power cut at a seeded operation (or never, then a crash at the end, which is where unsynced
 * writes are lost). Returns the disk after the crash and the writes issued.
 */
async function runUntilCut(sync: "always" | "interval" | "none", seed: number): Promise<{ disk: SimulatedDisk; writes: [string, JsonValue][] }> {
  const rng = new Rng(seed);
  const disk = new SimulatedDisk();
  disk.cutPowerAt(rng.int(400));
  const writes: [string, JsonValue][] = [];
  let store: Store | undefined;
  let mirror: Mirror | undefined;
  try {
    store = await openStore(DATA_DIR, { fs: disk.fs, sync, syncIntervalMs: 1_000_000, processProbe: bootProbe(1), segmentPreallocateBytes: 4096 });
    mirror = createMirror(store, { dir: MIRROR_DIR, views, fs: disk.fs, intervalMs: 1_000_000, onError: () => undefined });
    for (let i = 0; i < WRITES; i += 1) {
      const key = `${rng.bool() ? "players" : "games"}/k${rng.int(5)}`;
      writes.push([key, { i }]);
      await store.set(key, { i });
      if (rng.bool(0.2)) await mirror.flush();
    }
    await mirror.flush();
  } catch (error) {
    unlessPowerCut(error);
  }
  // The process dies here: nothing is closed, so nothing more is synced.
  return { disk: disk.crash(new Rng(seed + 1)), writes };
}

describe("the mirror is never ahead of what the log recovers after a power cut", () => {
  for (const sync of ["always", "interval", "none"] as const) {
    it(`with sync: "${sync}", over ${SEEDS} seeds`, async () => {
      let mirrored = 0;
      for (let seed = 0; seed < SEEDS; seed += 1) {
        const { disk, writes } = await runUntilCut(sync, seed * 7919);
        const store = await openStore(DATA_DIR, { fs: disk.fs, processProbe: bootProbe(2) });
        try {
          const recoveredSeq = store.seq;
          const manifest = await readManifest(MIRROR_DIR, { fs: disk.fs });
          for (const [file, prefix] of Object.entries(views)) {
            const label = `seed ${seed}, ${file}`;
            const record = manifest?.views[file];
            if (record !== undefined) expect(record.seq, `${label}: the manifest's seq`).toBeLessThanOrEqual(recoveredSeq);
            const found = await readJsonFile(`${MIRROR_DIR}/${file}`, { fs: disk.fs });
            if (found === undefined) continue;
            mirrored += 1;
            const states = Array.from({ length: recoveredSeq + 1 }, (_, seq) => viewAt(writes, seq, prefix));
            expect(states, `${label}: the view shows a state the log did not recover (recovered seq ${recoveredSeq})`).toContainEqual(found);
          }
        } finally {
          await store.close();
        }
      }
      expect(mirrored).toBeGreaterThan(SEEDS / 2); // the runs really wrote views
    });
  }
});
