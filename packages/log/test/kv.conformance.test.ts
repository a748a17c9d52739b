import { runConformanceSuite } from "@store/kv/conformance";
import { openStore, toKeyValueStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

// The contract's suite, unchanged, on a real data folder per test. By default a subscription resumes
// from the log files (resumeFrom "files"), so the history such a store keeps is bounded by compaction
// and backupsMax (test/resume.test.ts proves STORE_HISTORY_GONE once a compaction retired the writes
// with no backup kept); the suite's bounded-history case runs on resumeFrom "memory", where
// changeHistoryMax is the bound.
runConformanceSuite({
  name: "@store/log",
  open: async () => toKeyValueStore(await openStore(await tempDir())),
  openWithChangeHistoryMax: async (changeHistoryMax) => toKeyValueStore(await openStore(await tempDir(), { changeHistoryMax }), { resumeFrom: "memory" }),
});
