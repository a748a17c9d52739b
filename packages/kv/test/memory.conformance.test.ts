import { runConformanceSuite } from "../src/conformance/index.js";
import { createMemoryStore } from "../src/index.js";

runConformanceSuite({
  name: "memory",
  open: async () => createMemoryStore(),
  openWithChangeHistoryMax: async (changeHistoryMax) => createMemoryStore({ changeHistoryMax }),
});
