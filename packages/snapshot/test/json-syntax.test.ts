import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findJsonSyntaxProblem } from "../src/index.js";

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const jsonish = fc.string({ unit: fc.constantFrom("{", "}", "[", "]", ",", ":", '"', "\\", "u", "0", "1", "-", ".", "e", "+", "t", "r", "n", "l", " ", "\n", "a", "\u0001"), maxLength: 30 });

describe("findJsonSyntaxProblem agrees with JSON.parse", () => {
  it("on every JSON.stringify output", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (value, spaces) => {
        expect(findJsonSyntaxProblem(JSON.stringify(value, null, spaces))).toBeUndefined();
      }),
      { numRuns: 1_000 },
    );
  });

  it("on random JSON-like text: a problem exactly when JSON.parse fails, inside the text", () => {
    fc.assert(
      fc.property(jsonish, (text) => {
        const problem = findJsonSyntaxProblem(text);
        expect(problem === undefined).toBe(parses(text));
        if (problem !== undefined) {
          expect(problem.index).toBeGreaterThanOrEqual(0);
          expect(problem.index).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it("on valid documents with one character changed, inserted or removed", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom("change", "insert", "remove"), fc.constantFrom("}", "]", ",", ":", '"', "x", "0", "\\", " "), (value, at, edit, char) => {
        const text = JSON.stringify(value);
        const i = at % (text.length + 1);
        const mutated = edit === "insert" ? text.slice(0, i) + char + text.slice(i) : edit === "change" ? text.slice(0, i) + char + text.slice(i + 1) : text.slice(0, i) + text.slice(i + 1);
        expect(findJsonSyntaxProblem(mutated) === undefined).toBe(parses(mutated));
      }),
      { numRuns: 5_000 },
    );
  });

  it("a nesting 100 000 deep is scanned without overflowing the stack", () => {
    const deep = "[".repeat(100_000) + "]".repeat(99_999);
    expect(findJsonSyntaxProblem(deep)).toEqual({ index: deep.length, reason: expect.stringContaining("ends early") as unknown });
  });
});
