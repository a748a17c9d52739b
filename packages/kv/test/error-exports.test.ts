import { readFileSync } from "node:fs";
import { StoreError } from "@store/fs";
import { describe, expect, it } from "vitest";
import * as entry0 from "../src/index.js";

// Errors cross package boundaries by code, so every error a package throws on purpose is a
// StoreError with a code, and a caller can import the classes the README names from the package it
// uses. Generated for each package from the same template; only the entry points and exemptions differ.

/** Error classes named in the README that are not store errors, with why. */
const NOT_STORE_ERRORS: Record<string, string> = {
};

const BUILT_IN = new Set(["Error", "TypeError", "RangeError", "SyntaxError", "AggregateError"]);

const exported = new Map<string, unknown>([entry0].flatMap((entry) => Object.entries(entry)));

function readmeErrorNames(): string[] {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  return [...new Set(readme.match(/(?<![A-Za-z])[A-Z][A-Za-z]*Error\b/g) ?? [])].filter((name) => !BUILT_IN.has(name)).sort();
}

describe("error classes", () => {
  it("every error class the README names is exported by the package", () => {
    const missing = readmeErrorNames().filter((name) => typeof exported.get(name) !== "function");
    expect(missing).toEqual([]);
  });

  it("every exported error class is a StoreError (so it carries a stable code)", () => {
    const errorClasses = [...exported].filter(([name, value]) => /^[A-Z]\w*Error$/.test(name) && typeof value === "function" && !(name in NOT_STORE_ERRORS));
    for (const [name, value] of errorClasses) {
      const prototype: unknown = (value as { prototype: unknown }).prototype;
      expect(value === StoreError || prototype instanceof StoreError, `${name} is a StoreError`).toBe(true);
    }
    expect(errorClasses.map(([name]) => name)).toContain("StoreError");
  });
});
