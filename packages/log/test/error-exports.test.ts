import { describeErrorExports } from "@store/testkit/error-exports";
import * as entry0 from "../src/index.js";

// Every error class the README names is exported, and every exported one is a StoreError.
describeErrorExports({
  readme: new URL("../README.md", import.meta.url),
  entries: [entry0],
});
