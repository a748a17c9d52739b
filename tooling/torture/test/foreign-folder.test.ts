import { describe, expect, it } from "vitest";
import { hideForeignFiles, runScenario } from "../src/index.js";
import { foreignFolder } from "../src/scenarios/foreign-folder.js";

describe("foreign-folder", () => {
  it("folders of someone else's files are refused in every mode and left unchanged; a foreign file in a store is refused by name and salvage moves it aside", async () => {
    const result = await runScenario(foreignFolder, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 8 });
    expect(result.failures).toEqual([]);
    expect(result.checks).toBe(8 * (4 * 5 + 4)); // 4 folders x (4 modes + readLog), and 4 modes on the store
  });

  it("an open that does not look at what else the folder holds (mutation: hide-foreign-files) writes a store among them, and the scenario reports it", async () => {
    const result = await runScenario(foreignFolder, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 4, wrapFs: hideForeignFiles });
    expect(result.failures.length).toBeGreaterThan(0);
    expect(result.failures.some((failure) => failure.message.includes("was not refused with STORE_NOT_A_STORE: it opened"))).toBe(true);
  });
});
