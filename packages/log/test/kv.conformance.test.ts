import { runConformanceSuite } from "@store/kv/conformance";
import { openStore, toKeyValueStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

// The contract's suite, unchanged, on a real data folder per test. No openWithChangeHistoryMax: a
// subscription resumes from the log files (resume), so the history this store keeps is bounded by
// compaction and backupsMax, not by changeHistoryMax; test/resume.test.ts proves STORE_HISTORY_GONE
// once a compaction retired the writes with no backup kept.
runConformanceSuite({
  name: "@store/log",
  open: async () => toKeyValueStore(await openStore(await tempDir())),
});
