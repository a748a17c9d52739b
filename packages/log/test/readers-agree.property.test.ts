import fc from "fast-check";
import { describe, it } from "vitest";
import { caseArb, run } from "./damaged-folders.js";

describe("every reader of a folder reaches the verdict opening reaches", () => {
  it("on damaged folders (truncated, flipped, zeroed, appended, unlinked, header-less segments, after a salvage)", async () => {
    await fc.assert(fc.asyncProperty(caseArb, run), { numRuns: 200 });
  });
});
