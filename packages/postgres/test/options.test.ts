import { describe, expect, it } from "vitest";
import { openPostgresStore, type PostgresTarget } from "../src/index.js";

// Misuse is a TypeError quoting the input, before any connection is made.

async function typeError(call: () => Promise<unknown>): Promise<string> {
  const error = (await call().catch((caught: unknown) => caught)) as { name?: unknown; message?: unknown };
  expect(error.name).toBe("TypeError");
  return String(error.message);
}

describe("openPostgresStore arguments", () => {
  it("a target that is not exactly one of { pool }, { connectionString }, { pglite }", async () => {
    expect(await typeError(() => openPostgresStore(undefined as unknown as PostgresTarget))).toContain("undefined");
    expect(await typeError(() => openPostgresStore({} as PostgresTarget))).toContain("none");
    expect(await typeError(() => openPostgresStore({ connectionString: "postgres://x", pool: {} } as unknown as PostgresTarget))).toContain('"pool"');
    expect(await typeError(() => openPostgresStore({ connectionString: 42 } as unknown as PostgresTarget))).toContain("42");
    expect(await typeError(() => openPostgresStore({ pool: { query: 1 } } as unknown as PostgresTarget))).toContain("pg.Pool");
    expect(await typeError(() => openPostgresStore({ pglite: "db" } as unknown as PostgresTarget))).toContain('"db"');
  });

  it("bad options, each named with what it takes", async () => {
    const target = { connectionString: "postgres://127.0.0.1:1/none" };
    expect(await typeError(() => openPostgresStore(target, { schema: "Bad-Name" }))).toContain('"Bad-Name"');
    expect(await typeError(() => openPostgresStore(target, { schema: "x".repeat(49) }))).toContain("48");
    expect(await typeError(() => openPostgresStore(target, { changeHistoryMax: 0 }))).toContain("changeHistoryMax");
    expect(await typeError(() => openPostgresStore(target, { changeHistoryAgeMsMax: -1 }))).toContain("-1");
    expect(await typeError(() => openPostgresStore(target, { commitGroupBatchesMax: 1.5 }))).toContain("1.5");
    expect(await typeError(() => openPostgresStore(target, { poolSize: 1 }))).toContain("poolSize");
    expect(await typeError(() => openPostgresStore(target, { changeHistroyMax: 5 } as never))).toContain('"changeHistroyMax"');
  });

  it("an unreachable server: STORE_UNAVAILABLE naming where, no password", async () => {
    const error = (await openPostgresStore({ connectionString: "postgres://user:secret@127.0.0.1:1/db" }, { connectTimeoutMs: 2_000 }).catch((caught: unknown) => caught)) as {
      code?: unknown;
      message?: unknown;
    };
    expect(error.code).toBe("STORE_UNAVAILABLE");
    expect(String(error.message)).toContain("127.0.0.1:1/db");
    expect(String(error.message)).not.toContain("secret");
  });
});
