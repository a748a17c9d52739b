import { describe, expect, it } from "vitest";
import { runScenario } from "../src/index.js";
import { kill9 } from "../src/scenarios/kill-9.js";
import { twoWriters } from "../src/scenarios/two-writers.js";

describe("the real-process scenarios pass in their short form", () => {
  it("kill-9: writers SIGKILLed at random moments lose no acknowledged write, invent none, and keep the balances whole", async () => {
    const result = await runScenario(kill9, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 4 });
    expect(result.failures).toEqual([]);
    expect(result.checks).toBe(12); // 4 folders x 3 kill rounds
  });

  it("two-writers: exactly one of two racing processes opens the folder, and the other takes over from the killed holder", async () => {
    const result = await runScenario(twoWriters, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 6 });
    expect(result.failures).toEqual([]);
    expect(result.checks).toBe(6);
  });
});
