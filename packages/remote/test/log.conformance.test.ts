import { runConformanceSuite } from "@store/kv/conformance";
import { openStore, toKeyValueStore } from "@store/log";
import { served, tempDir } from "./helpers.js";

// The contract's suite, unchanged, through a real Unix socket to @store/log on a real folder: the
// arrangement of a sharded bot.
runConformanceSuite({
  name: "@store/remote serving @store/log",
  open: async () => served(toKeyValueStore(await openStore(await tempDir()))),
  openWithChangeHistoryMax: async (changeHistoryMax) => served(toKeyValueStore(await openStore(await tempDir(), { changeHistoryMax }))),
});
