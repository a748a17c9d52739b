import { describe, expect, it } from "vitest";
import type { KeyValueStore } from "../types.js";

export interface ConformanceOptions {
  /** Shown in the test names: the backend under test. */
  readonly name: string;
  /** Opens a fresh, empty store. Each test opens its own and closes it. */
  readonly open: () => Promise<KeyValueStore>;
}

/** Registers the contract's tests (vitest) for one backend. Work in progress: more rules follow. */
export function runConformanceSuite(options: ConformanceOptions): void {
  describe(`KeyValueStore conformance: ${options.name}`, () => {
    it("a missing key reads as undefined", async () => {
      const kv = await options.open();
      try {
        expect(await kv.get("missing")).toBeUndefined();
      } finally {
        await kv.close();
      }
    });
  });
}
