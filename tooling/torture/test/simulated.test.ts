import { describe, expect, it } from "vitest";
import { runScenario, type Scenario } from "../src/index.js";
import { bitRot } from "../src/scenarios/bit-rot.js";
import { conflictRetry } from "../src/scenarios/conflict-retry.js";
import { diskFaults } from "../src/scenarios/disk-faults.js";
import { fuzzReader } from "../src/scenarios/fuzz-reader.js";
import { powerCut } from "../src/scenarios/power-cut.js";
import { tornTail } from "../src/scenarios/torn-tail.js";

/** Runs `cases` consecutive seeds with no time limit, so the test does the same work on any machine. */
async function runCases(scenario: Scenario, seed: number, cases: number) {
  return runScenario(scenario, { seed, budgetMs: Number.POSITIVE_INFINITY, casesMax: cases });
}

describe("the simulated-disk scenarios pass in their short form", () => {
  it("power-cut: short workloads cut at every operation index and a long one at random points lose nothing acknowledged", async () => {
    const result = await runCases(powerCut, 0, 8); // seeds 0..7: six short workloads, two long ones
    expect(result.failures).toEqual([]);
    expect(result.checks).toBeGreaterThan(500);
  });

  it("torn-tail: every byte offset of small logs and a sample of a large one recover exactly the whole records", async () => {
    const result = await runCases(tornTail, 0, 4);
    expect(result.failures).toEqual([]);
    expect(result.checks).toBeGreaterThan(1000);
  });

  it("bit-rot: every bit of small logs and a sample of a large one is detected or cut as a torn tail", async () => {
    const result = await runCases(bitRot, 0, 4);
    expect(result.failures).toEqual([]);
    expect(result.checks).toBeGreaterThan(10_000);
  });

  it("conflict-retry: plain retry loops of up to 32 workers on hot accounts converge and conserve money", async () => {
    const result = await runCases(conflictRetry, 0, 12);
    expect(result.failures).toEqual([]);
    expect(result.checks).toBeGreaterThan(500);
  });

  it("fuzz-reader: random and mutated files only ever make the readers throw StoreError", async () => {
    const result = await runCases(fuzzReader, 0, 1500);
    expect(result.failures).toEqual([]);
    expect(result.checks).toBeGreaterThan(6000);
  });
});

describe("disk-faults passes in its short form", () => {
  it("EIO on fsync, ENOSPC and short writes at every index, a full disk, and compaction faults leave typed errors and exact state", async () => {
    let cases = 0;
    let checks = 0;
    for (let seed = 0; seed < 220; seed += 1) {
      const result = await runCases(diskFaults, seed, 1);
      expect(result.failures).toEqual([]);
      cases += result.cases;
      checks += result.checks;
    }
    expect(cases).toBe(220);
    expect(checks).toBeGreaterThan(300);
  });
});
