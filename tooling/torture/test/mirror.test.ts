import { describe, expect, it } from "vitest";
import { runScenario } from "../src/index.js";
import { mirrorKill9 } from "../src/scenarios/mirror-kill-9.js";
import { mirrorPowerCut } from "../src/scenarios/mirror-power-cut.js";

describe("the mirror scenarios pass in their short form", () => {
  it("mirror-power-cut: in every sync mode, the manifest and views are never ahead of what the log recovers", async () => {
    const result = await runScenario(mirrorPowerCut, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 9 }); // 3 cases per sync mode
    expect(result.failures).toEqual([]);
    expect(result.checks).toBe(9 * 9 * 2); // 9 cut points (8 random, one at the end), 2 crashes each
  });

  it("mirror-kill-9: writers SIGKILLed mid-write never leave a growing pile of temp files", async () => {
    const result = await runScenario(mirrorKill9, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 1 });
    expect(result.failures).toEqual([]);
    expect(result.checks).toBe(6); // one folder, 6 kill rounds
  });
});
