import { PGlite } from "@electric-sql/pglite";
import { runConformanceSuite } from "@store/kv/conformance";
import { afterAll, beforeAll } from "vitest";
import { openPostgresStore } from "../src/index.js";
import { freshSchema } from "@store/testkit/postgres";

// The unchanged @store/kv conformance suite on PGlite (PostgreSQL compiled to WebAssembly, in this
// process): the same SQL as on a server, so `pnpm test` checks it on a machine with no server too.
// One PGlite instance for the file (it takes seconds to start); every store in a fresh schema.

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
});
afterAll(async () => {
  await db.close();
});

runConformanceSuite({
  name: "@store/postgres on PGlite",
  open: () => openPostgresStore({ pglite: db }, { schema: freshSchema() }),
  openWithChangeHistoryMax: (changeHistoryMax) => openPostgresStore({ pglite: db }, { schema: freshSchema(), changeHistoryMax }),
});
