import { runConformanceSuite } from "@store/kv/conformance";
import pg from "pg";
import { afterAll, beforeAll, describe, it } from "vitest";
import { openPostgresStore } from "../src/index.js";
import { createTestDatabase, freshSchema, probeServer, type TestDatabase } from "@store/testkit/postgres";

// The unchanged @store/kv conformance suite against a real PostgreSQL server, every store in a
// fresh schema of this file's own database, all through one pool passed in (so close() must leave
// it open).

const probe = await probeServer();

if (probe.server === undefined) {
  describe("KeyValueStore conformance: @store/postgres on a server", () => {
    it.skip(`skipped: ${probe.reason}; the same suite runs on PGlite (pglite.conformance.test.ts)`, () => undefined);
  });
} else {
  const server = probe.server;
  let database: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    database = await createTestDatabase(server, "conformance");
    pool = new pg.Pool({ connectionString: database.url, max: 12 });
    // DROP DATABASE ... WITH (FORCE) ends the connections still closing: not an error of the test.
    pool.on("error", () => undefined);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });
  runConformanceSuite({
    name: "@store/postgres on a server",
    open: () => openPostgresStore({ pool }, { schema: freshSchema() }),
    openWithChangeHistoryMax: (changeHistoryMax) => openPostgresStore({ pool }, { schema: freshSchema(), changeHistoryMax }),
  });
}
