import { describe, expect, it } from "vitest";
import { runScenario } from "../src/index.js";
import { BAD_INPUTS } from "../src/bad-inputs.js";
import { badInput } from "../src/scenarios/bad-input.js";

describe("bad-input", () => {
  it("the catalogue holds at least 25 kinds of invalid keys, values and batches", () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(BAD_INPUTS.map((input) => input.name)).size).toBe(BAD_INPUTS.length);
  });

  it("every kind is refused with a typed error and leaves the files byte-for-byte and the state unchanged", async () => {
    const result = await runScenario(badInput, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 3 });
    expect(result.failures).toEqual([]);
    const attempts = BAD_INPUTS.reduce((sum, input) => sum + input.attempts.length, 0);
    expect(result.checks).toBe(3 * attempts);
  });
});
