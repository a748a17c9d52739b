import type { Clock } from "@store/fs";
import { SimulatedDisk } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { createMirror, readJsonFile, readManifest } from "../src/index.js";
import { CountingFs } from "./support/counting-fs.js";
import { MemorySource } from "./support/memory-source.js";

// The mirror's coalescing and retry rules on an injected clock: no fake global timers, no waiting.

/** A clock that moves only when told: its timers fire in time order as `advance` passes them. */
class ManualClock implements Clock {
  #nowMs: number;
  #timers: { atMs: number; order: number; callback: () => void }[] = [];
  #order = 0;

  constructor(startMs: number) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const timer = { atMs: this.#nowMs + delayMs, order: (this.#order += 1), callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((pending) => pending !== timer);
    };
  }

  /** Moves time forward by `ms`, firing each due timer at its time and letting the simulated disk's work settle. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.#nowMs + ms;
    for (;;) {
      const next = this.#timers.filter((timer) => timer.atMs <= targetMs).sort((a, b) => a.atMs - b.atMs || a.order - b.order)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((timer) => timer !== next);
      this.#nowMs = next.atMs;
      next.callback();
      for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    }
    this.#nowMs = targetMs;
  }
}

const dir = "/data/mirror";

describe("the mirror on an injected clock", () => {
  it("writes that come within intervalMs of the clock are coalesced into one view write, stamped with the clock's time", async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
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
