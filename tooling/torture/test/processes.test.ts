import { openStore } from "@store/log";
import { describe, expect, it } from "vitest";
import { runChild } from "../src/child-process.js";
import { inTempDir } from "../src/temp-dir.js";
import { runScenario } from "../src/index.js";
import { game } from "../src/scenarios/game.js";
import { kill9 } from "../src/scenarios/kill-9.js";
import { twoWriters } from "../src/scenarios/two-writers.js";

describe("the real-process scenarios pass in their short form", () => {
  it("kill-9: writers SIGKILLed at random moments lose no acknowledged write, invent none, and keep the balances whole", async () => {
    const result = await runScenario(kill9, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 4 });
    expect(result.failures).toEqual([]);
    expect(result.checks).toBe(12); // 4 folders x 3 kill rounds
  });

  it("game: 64 players SIGKILLed at random moments: audit() holds, expired games are refunded, acknowledged operations are there and apply once", async () => {
    const result = await runScenario(game, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 2 });
    expect(result.failures).toEqual([]);
    expect(result.checks).toBe(6); // 2 folders x 3 kill rounds
  });

  it("two-writers: exactly one of two racing processes opens the folder, and the other takes over from the killed holder", async () => {
    const result = await runScenario(twoWriters, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 6 });
    expect(result.failures).toEqual([]);
    expect(result.checks).toBe(6);
  });
});

describe("the kill-9 writer's report", () => {
  it("holds every write that reached the disk, though the parent stopped reading the pipe before the kill", async () => {
    await inTempDir("report", async (dir) => {
      const child = runChild("writer", [dir, "mixed", "7", "64", "8", "0"]);
      await child.waitFor((line) => line.startsWith("open "), "open");
      const stdout = child.process.stdout!;
      stdout.pause(); // the pipe fills up: the writer must wait for it, not keep its lines in memory
      await new Promise((resolve) => setTimeout(resolve, 2000)); // a free writer does thousands of writes meanwhile
      child.kill();
      stdout.resume();
      await child.ended;
      const issuedSeqs = child.lines.filter((line) => line.startsWith("issue ")).map((line) => Number(line.split(" ")[1]));
      const store = await openStore(dir, { readOnly: true });
      try {
        expect(store.seq).toBeLessThanOrEqual(Math.max(...issuedSeqs));
      } finally {
        await store.close();
      }
    });
  });
});
