import { BAD_INPUTS } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { runScenario } from "../src/index.js";
import { badInput } from "../src/scenarios/bad-input.js";

describe("bad-input", () => {
  it("every kind of the shared catalogue is refused as it says and leaves the files byte-for-byte and the state unchanged", async () => {
    const result = await runScenario(badInput, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 3 });
    expect(result.failures).toEqual([]);
    const attempts = BAD_INPUTS.reduce((sum, input) => sum + input.attempts.length, 0);
    expect(result.checks).toBe(3 * attempts);
  });
});
