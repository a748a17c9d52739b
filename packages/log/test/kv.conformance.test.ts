import { runConformanceSuite } from "@store/kv/conformance";
import { openStore, toKeyValueStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

// The contract's suite, unchanged, on a real data folder per test.
runConformanceSuite({
  name: "@store/log",
  open: async () => toKeyValueStore(await openStore(await tempDir())),
  openWithChangeHistoryMax: async (changeHistoryMax) => toKeyValueStore(await openStore(await tempDir(), { changeHistoryMax })),
});
