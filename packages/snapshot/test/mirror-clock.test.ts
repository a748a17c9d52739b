import type { Clock } from "@store/fs";
import { ManualClock, SimulatedDisk } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { createMirror, readJsonFile, readManifest } from "../src/index.js";
import { CountingFs } from "./support/counting-fs.js";
import { MemorySource } from "./support/memory-source.js";

// The mirror's coalescing and retry rules on an injected clock: no fake global timers, no waiting.

const dir = "/data/mirror";

describe("the mirror on an injected clock", () => {
  it("writes that come within intervalMs of the clock are coalesced into one view write, stamped with the clock's time", async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1), { turnsPerTimer: 20 });
    const fs = new CountingFs(new SimulatedDisk().fs);
    const source = new MemorySource();
    const mirror = createMirror(source, { dir, views: { "players.json": "players/" }, intervalMs: 60_000, fs, clock });
    await mirror.flush();
    for (let index = 0; index < 50; index += 1) {
      source.set(`players/p${index % 7}`, { score: index });
      await clock.advance(1_000); // 50 s in all: inside one interval
    }
    expect(fs.renames(`${dir}/players.json`)).toBe(1); // the first flush's only
    await clock.advance(10_000);
    expect(fs.renames(`${dir}/players.json`)).toBe(2);
    expect(await readJsonFile(`${dir}/players.json`, { fs })).toEqual(source.view("players/"));
    const manifest = await readManifest(dir, { fs });
    expect(manifest?.views["players.json"]?.writtenAt).toBe(new Date(Date.UTC(2030, 0, 1) + 60_000).toISOString());
    await mirror.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it("a clock without now() and setTimer() is a TypeError", () => {
    expect(() => createMirror(new MemorySource(), { dir, views: { "a.json": "a/" }, clock: {} as Clock })).toThrow(
      new TypeError("createMirror: options.clock must be a clock: an object with now() and setTimer(callback, delayMs) methods."),
    );
  });
});
