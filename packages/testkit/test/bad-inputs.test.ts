import { describe, expect, it } from "vitest";
import { BAD_INPUTS, refusalOf } from "../src/index.js";

describe("the bad-input catalogue", () => {
  it("holds the union of the two catalogues it replaced and the single writes' options: 25 values, 16 keys, 12 batches, 7 options, each named once", () => {
    expect(BAD_INPUTS.filter((input) => input.name.startsWith("a value that is "))).toHaveLength(25);
    expect(BAD_INPUTS.filter((input) => input.name.startsWith("a key that is "))).toHaveLength(16);
    expect(BAD_INPUTS.filter((input) => input.name.startsWith("write options with "))).toHaveLength(7);
    expect(BAD_INPUTS).toHaveLength(25 + 16 + 12 + 7);
    expect(new Set(BAD_INPUTS.map((input) => input.name)).size).toBe(BAD_INPUTS.length);
  });

  it("hands every key case over through set, delete and a batch, and every value case through set and a batch", () => {
    for (const input of BAD_INPUTS) {
      const vias = input.attempts.map((attempt) => attempt.via);
      if (input.name.startsWith("a key that is ")) expect(vias, input.name).toEqual(["set", "delete", "batch"]);
      else if (input.name.startsWith("a value that is ")) expect(vias, input.name).toEqual(["set", "batch"]);
      else if (input.name.startsWith("write options with ")) expect(vias, input.name).toEqual(["set", "delete"]);
      else expect(vias, input.name).toEqual(["batch"]);
    }
  });

  it("names a refusal by its code, or TypeError for argument misuse", () => {
    expect(refusalOf(new TypeError("x"))).toBe("TypeError");
    expect(refusalOf(Object.assign(new Error("x"), { code: "STORE_CONFLICT" }))).toBe("STORE_CONFLICT");
    expect(refusalOf(new Error("x"))).toBeUndefined();
    expect(refusalOf(undefined)).toBeUndefined();
  });
});
