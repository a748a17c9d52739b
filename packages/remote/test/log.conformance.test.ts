import { runConformanceSuite } from "@store/kv/conformance";
import { openStore, toKeyValueStore } from "@store/log";
import { served, tempDir } from "./helpers.js";

// The contract's suite, unchanged, through a real Unix socket to @store/log on a real folder: the
// arrangement of a sharded bot. No openWithChangeHistoryMax: @store/log resumes a subscription from
// its log files, so its history is bounded by compaction, not changeHistoryMax (its own
// test/resume.test.ts and this package's test/reconnect.test.ts prove STORE_HISTORY_GONE then).
runConformanceSuite({
  name: "@store/remote serving @store/log",
  open: async () => served(toKeyValueStore(await openStore(await tempDir()))),
});
