import { createMemoryStore } from "@store/kv";
import { runConformanceSuite } from "@store/kv/conformance";
import { served } from "./helpers.js";

// The contract's suite, unchanged, through a real Unix socket: the client must be indistinguishable
// from the store it talks to.
runConformanceSuite({
  name: "@store/remote serving the memory store",
  open: () => served(createMemoryStore()),
  openWithChangeHistoryMax: (changeHistoryMax) => served(createMemoryStore({ changeHistoryMax })),
});
