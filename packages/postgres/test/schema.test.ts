import { expect, it } from "vitest";
import { openPostgresStore, SCHEMA_VERSION } from "../src/index.js";
import { adminClient } from "./helpers/admin.js";
import { createTestDatabase, describeOnServer, freshSchema, probeServer } from "@store/testkit/postgres";

describeOnServer("the schema: migrations, encoding, limits of the types", "schema", (database) => {
  it("eight processes' worth of concurrent opens of a new schema: all succeed, each migration applied once", async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 8 }, () => openPostgresStore({ connectionString: database().url }, { schema })));
    const admin = await adminClient(database().url);
    try {
      const { rows } = await admin.query(`SELECT version FROM "${schema}".migrations ORDER BY version`);
      expect(rows.map((row: { version: number }) => row.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, index) => index + 1));
      await Promise.all(stores.map((store, index) => store.batch([{ type: "set", key: `k/${index}`, value: index }])));
      expect((await stores[0]!.stats()).keys).toBe(8);
    } finally {
      await admin.end();
      for (const store of stores) await store.close();
    }
  });

  it("a schema made by a newer version is refused with STORE_UNSUPPORTED_FORMAT and left alone", async () => {
    const schema = freshSchema();
    await (await openPostgresStore({ connectionString: database().url }, { schema })).close();
    const admin = await adminClient(database().url);
    try {
      await admin.query(`INSERT INTO "${schema}".migrations (version, description) VALUES (${SCHEMA_VERSION + 1}, 'from the future')`);
      const error = (await openPostgresStore({ connectionString: database().url }, { schema }).catch((caught: unknown) => caught)) as { code?: unknown; message?: unknown };
      expect(error.code).toBe("STORE_UNSUPPORTED_FORMAT");
      expect(String(error.message)).toContain(`version ${SCHEMA_VERSION + 1}`);
    } finally {
      await admin.end();
    }
  });

  it("a database that is not UTF8 is refused with STORE_UNSUPPORTED_FORMAT", async () => {
    const probe = await probeServer();
    const latin1 = await createTestDatabase(probe.server!, "latin1", "LATIN1");
    try {
      const error = (await openPostgresStore({ connectionString: latin1.url }).catch((caught: unknown) => caught)) as { code?: unknown; message?: unknown };
      expect(error.code).toBe("STORE_UNSUPPORTED_FORMAT");
      expect(String(error.message)).toContain("LATIN1");
    } finally {
      await latin1.drop();
    }
  });

  it("seqs reach Number.MAX_SAFE_INTEGER exactly; the batch after it is refused (STORE_FAILED) and writes nothing", async () => {
    const schema = freshSchema();
    const kv = await openPostgresStore({ connectionString: database().url }, { schema });
    const admin = await adminClient(database().url);
    try {
      await admin.query(`UPDATE "${schema}".counter SET seq = $1, history_floor = $1`, [String(Number.MAX_SAFE_INTEGER - 1)]);
      expect(await kv.batch([{ type: "set", key: "k", value: 1 }])).toEqual({ seq: Number.MAX_SAFE_INTEGER });
      expect(await kv.get("k")).toEqual({ key: "k", value: 1, version: Number.MAX_SAFE_INTEGER });
      const error = (await kv.batch([{ type: "set", key: "k", value: 2 }]).catch((caught: unknown) => caught)) as { code?: unknown };
      expect(error.code).toBe("STORE_FAILED");
      expect((await kv.get("k"))?.value).toBe(1);
    } finally {
      await admin.end();
      await kv.close();
    }
  });

  it("why values are JSON text, not jsonb: jsonb refuses what the contract must keep (NUL and lone surrogates in strings)", async () => {
    const admin = await adminClient(database().url);
    const kv = await openPostgresStore({ connectionString: database().url }, { schema: freshSchema() });
    try {
      for (const value of ["nul \u0000 inside", "half \ud800 of a pair"]) {
        await expect(admin.query("SELECT $1::jsonb", [JSON.stringify(value)])).rejects.toThrow(/Unicode|json/u);
        const { seq } = await kv.batch([{ type: "set", key: "v", value }]);
        expect(await kv.get("v")).toEqual({ key: "v", value, version: seq });
      }
    } finally {
      await kv.close();
      await admin.end();
    }
  });
});
