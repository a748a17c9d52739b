import { crc32 } from "node:zlib";
import { Rng, SimulatedDisk, isPowerCut } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { createMirror, readJsonFile, readManifest, type JsonValue } from "../src/index.js";
import { MemorySource } from "./support/memory-source.js";

const dir = "/data/mirror";
const views = { "players.json": "players/", "games.json": "games/" };
const SEEDS_PER_CUT = 6;

/** Writes the mirror of `source` through a mirror that loses power at operation `cut` (relative). */
async function mirrorWithCut(disk: SimulatedDisk, source: MemorySource, cut: number): Promise<boolean> {
  const mirror = createMirror(source, { dir, views, intervalMs: 60_000, fs: disk.fs, onError: () => undefined });
  disk.cutPowerAt(disk.operationCount + cut);
  const finished = await mirror.close().then(
    () => true,
    (error: unknown) => {
      if (!isPowerCut(error)) throw error;
      return false;
    },
  );
  return finished;
}

function bytesOf(view: Record<string, JsonValue>): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(view, null, 2)}\n`);
}

describe("a power cut at every operation of a mirror write", () => {
  for (const start of ["no mirror yet", "an older mirror"] as const) {
    it(`leaves whole views and a manifest that never runs ahead of them (${start})`, async () => {
      const source = new MemorySource();
      source.set("players/alice", { coins: 1 });
      source.set("games/g1", { turn: 1 });
      const oldViews = { "players.json": source.view("players/"), "games.json": source.view("games/") };
      const base = new SimulatedDisk();
      if (start === "an older mirror") expect(await mirrorWithCut(base, source, Number.MAX_SAFE_INTEGER)).toBe(true);
      source.set("players/bob", { coins: 2 });
      source.set("games/g1", { turn: 2 });
      const newViews = { "players.json": source.view("players/"), "games.json": source.view("games/") };
      const hadOld = start === "an older mirror";
      let cut = 0;
      for (; ; cut += 1) {
        const disk = base.crash(new Rng(0)); // a fresh copy of the base state (all of it durable)
        const finished = await mirrorWithCut(disk, source, cut);
        for (let seed = 0; seed < SEEDS_PER_CUT; seed += 1) {
          const after = disk.crash(new Rng(cut * 100 + seed));
          const label = `cut ${cut}, seed ${seed}`;
          const manifest = await readManifest(dir, { fs: after.fs });
          for (const file of ["players.json", "games.json"] as const) {
            const found = await readJsonFile(`${dir}/${file}`, { fs: after.fs });
            const allowed = hadOld ? [oldViews[file], newViews[file]] : [undefined, newViews[file]];
            expect(allowed, `${label}: ${file}`).toContainEqual(found);
            if (finished) expect(found, label).toEqual(newViews[file]);
            const record = manifest?.views[file];
            if (record?.crc32 === crc32(bytesOf(newViews[file]))) expect(found, `${label}: manifest ahead of ${file}`).toEqual(newViews[file]);
            if (record !== undefined) expect([crc32(bytesOf(oldViews[file])), crc32(bytesOf(newViews[file]))], label).toContain(record.crc32);
          }
          if (finished) expect(manifest?.views["players.json"]?.seq).toBe(source.seq);
        }
        if (finished) break;
      }
      expect(cut).toBeGreaterThan(10); // the loop really walked through the write's operations
    });
  }
});
