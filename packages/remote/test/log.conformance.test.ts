import { runConformanceSuite } from "@store/kv/conformance";
import { openStore, toKeyValueStore } from "@store/log";
import { served, tempDir } from "./helpers.js";

// The contract's suite, unchanged, through a real Unix socket to @store/log on a real folder: the
// arrangement of a sharded bot. @store/log resumes a subscription from its log files by default, so
// its history is bounded by compaction (its test/resume.test.ts and this package's
// test/reconnect.test.ts prove STORE_HISTORY_GONE then); the suite's bounded-history case serves a
// store whose bound is changeHistoryMax (resumeFrom "memory").
runConformanceSuite({
  name: "@store/remote serving @store/log",
  open: async () => served(toKeyValueStore(await openStore(await tempDir()))),
  openWithChangeHistoryMax: async (changeHistoryMax) => served(toKeyValueStore(await openStore(await tempDir(), { changeHistoryMax }), { resumeFrom: "memory" })),
});
