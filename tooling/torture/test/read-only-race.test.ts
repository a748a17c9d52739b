import { describe, expect, it } from "vitest";
import { runScenario, staleListing } from "../src/index.js";
import { readOnlyRace } from "../src/scenarios/read-only-race.js";

describe("read-only-race", () => {
  it("read-only opens and readLog racing a writer process that compacts in a loop all succeed, each at one seq of the writer", async () => {
    const result = await runScenario(readOnlyRace, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 3 });
    expect(result.failures).toEqual([]);
    expect(result.checks).toBe(3 * 13); // 12 opens and a readLog pass per case
  });

  it("a reader that keeps its first listing (mutation: stale-listing) fails once a compaction retired what it listed, and the scenario reports it", async () => {
    const result = await runScenario(readOnlyRace, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 1, wrapFs: staleListing });
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.message).toMatch(/read-only open 2 .*failed: STORE_IO/);
  });
});
