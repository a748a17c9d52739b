import { readFileSync } from "node:fs";
import { StoreError } from "@store/fs";
import { describe, expect, it } from "vitest";

export interface ErrorExportsOptions {
  /** The package's README.md (e.g. `new URL("../README.md", import.meta.url)`). */
  readonly readme: URL;
  /** The package's entry points, as `import * as entry from "../src/index.js"`. */
  readonly entries: readonly object[];
  /** Error classes the README names that are not store errors, each with why. */
  readonly notStoreErrors?: Readonly<Record<string, string>>;
}

const BUILT_IN = new Set(["Error", "TypeError", "RangeError", "SyntaxError", "AggregateError"]);

/**
 * Errors cross package boundaries by code, so every error a package throws on purpose is a
 * StoreError with a code, and a caller can import the classes the README names from the package it
 * uses. Registers the two tests that say so for one package.
 */
export function describeErrorExports(options: ErrorExportsOptions): void {
  const notStoreErrors = options.notStoreErrors ?? {};
  const exported = new Map<string, unknown>(options.entries.flatMap((entry) => Object.entries(entry)));
  const readme = readFileSync(options.readme, "utf8");
  const readmeErrorNames = [...new Set(readme.match(/(?<![A-Za-z])[A-Z][A-Za-z]*Error\b/g) ?? [])].filter((name) => !BUILT_IN.has(name)).sort();

  describe("error classes", () => {
    it("every error class the README names is exported by the package", () => {
      const missing = readmeErrorNames.filter((name) => typeof exported.get(name) !== "function");
      expect(missing).toEqual([]);
    });

    it("every exported error class is a StoreError (so it carries a stable code)", () => {
      const errorClasses = [...exported].filter(([name, value]) => /^[A-Z]\w*Error$/.test(name) && typeof value === "function" && !(name in notStoreErrors));
      for (const [name, value] of errorClasses) {
        const prototype: unknown = (value as { prototype: unknown }).prototype;
        expect(value === StoreError || prototype instanceof StoreError, `${name} is a StoreError`).toBe(true);
      }
      expect(errorClasses.map(([name]) => name)).toContain("StoreError");
    });
  });
}
