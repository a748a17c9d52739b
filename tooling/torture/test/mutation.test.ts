import { describe, expect, it } from "vitest";
import { acknowledgeBeforeFlush, runScenario, skipFolderFsync, type FsWrapper } from "../src/index.js";
import { powerCut } from "../src/scenarios/power-cut.js";

async function powerCutWith(wrapFs: FsWrapper) {
  return runScenario(powerCut, { seed: 0, budgetMs: Number.POSITIVE_INFINITY, casesMax: 4, wrapFs });
}

describe("a deliberately broken build makes power-cut fail (mutation check)", () => {
  it("skipping the folder fsync after a create or rename loses acknowledged writes, and power-cut reports it", async () => {
    const result = await powerCutWith(skipFolderFsync);
    expect(result.failures.length).toBeGreaterThan(0);
    expect(result.failures.some((failure) => failure.message.includes("an acknowledged write was lost"))).toBe(true);
  });

  it("acknowledging before the flush (fdatasync that does nothing) loses acknowledged writes, and power-cut reports it", async () => {
    const result = await powerCutWith(acknowledgeBeforeFlush);
    expect(result.failures.length).toBeGreaterThan(0);
    expect(result.failures.some((failure) => failure.message.includes("an acknowledged write was lost"))).toBe(true);
  });

  it("the same cases pass on the unbroken build", async () => {
    const result = await powerCutWith((fs) => fs);
    expect(result.failures).toEqual([]);
  });
});
