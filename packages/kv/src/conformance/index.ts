import { describe } from "vitest";
import type { KeyValueStore } from "../types.js";
import { badInputTests } from "./bad-input.js";
import { concurrencyTests } from "./concurrency.js";
import type { SuiteContext } from "./helpers.js";

// For backends' own tests: records a subscription's events, waits for a seq without a timer.
export { EventLog } from "./helpers.js";
import { lifecycleTests } from "./lifecycle.js";
import { limitTests } from "./limits.js";
import { modelTests } from "./model.js";
import { preconditionTests } from "./preconditions.js";
import { readTests } from "./reads.js";
import { scanTests } from "./scans.js";
import { subscriptionPrefixTests } from "./subscription-prefixes.js";
import { subscriptionTests } from "./subscriptions.js";
import { valueTests } from "./values.js";

export interface ConformanceOptions {
  /** The backend under test, shown in the test names. */
  readonly name: string;
  /** Opens a fresh, empty store (seq 0, no keys). Every test opens its own and closes it. */
  readonly open: () => Promise<KeyValueStore>;
  /**
   * Opens a fresh store that keeps at most `changeHistoryMax` changes for `subscribe({ afterSeq })`,
   * to test `STORE_HISTORY_GONE`. Leave it out if the backend keeps all history (that test is skipped).
   */
  readonly openWithChangeHistoryMax?: (changeHistoryMax: number) => Promise<KeyValueStore>;
  /** Runs of the model-based property test (each opens a store). Default 30. */
  readonly propertyRuns?: number;
}

/**
 * Registers, with vitest, a test for every rule of the `KeyValueStore` contract, against the stores
 * that `open` gives. Call it at the top level of a test file; every backend runs it unchanged.
 */
export function runConformanceSuite(options: ConformanceOptions): void {
  if (typeof options !== "object" || typeof options.name !== "string" || typeof options.open !== "function") {
    throw new TypeError("runConformanceSuite() takes { name: string, open: () => Promise<KeyValueStore> }.");
  }
  const context: SuiteContext = {
    open: options.open,
    openWithChangeHistoryMax: options.openWithChangeHistoryMax,
    propertyRuns: options.propertyRuns ?? 30,
  };
  describe(`KeyValueStore conformance: ${options.name}`, () => {
    readTests(context);
    scanTests(context);
    preconditionTests(context);
    concurrencyTests(context);
    subscriptionTests(context);
    subscriptionPrefixTests(context);
    valueTests(context);
    badInputTests(context);
    limitTests(context);
    lifecycleTests(context);
    modelTests(context);
  });
}
