import { describeErrorExports } from "@store/testkit/error-exports";
import * as entry0 from "../src/index.js";
import * as entry1 from "../src/testing/index.js";

// Every error class the README names is exported, and every exported one is a StoreError.
describeErrorExports({
  readme: new URL("../README.md", import.meta.url),
  entries: [entry0, entry1],
  notStoreErrors: {
    CrashCheckError: "the crash check's own assertion failure (a broken guarantee found by a test), not a store refusal: it carries no code",
  },
});
