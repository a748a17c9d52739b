import { quote } from "@store/fs";
import pg from "pg";
import type { CommitHooks } from "./committer.js";
import type { Driver } from "./driver.js";
import { migrate } from "./migrations.js";
import { resolveOptions, show, type PostgresStoreOptions, type ResolvedOptions } from "./options.js";
import { pgDriver, type PgPool } from "./pg-driver.js";
import { pgliteDriver, type PGliteLike } from "./pglite-driver.js";
import { PostgresStore } from "./store.js";

/** Where the store lives: a `pg` pool you own, a connection string (the store makes and ends its pool), or a PGlite instance. */
export type PostgresTarget = { readonly pool: PgPool } | { readonly connectionString: string } | { readonly pglite: PGliteLike };

/**
 * Opens the KeyValueStore in `options.schema` (default "store") of the database `target` points at,
 * creating or upgrading its tables first (safe when several processes start at once).
 * Rejects with STORE_UNAVAILABLE if the server cannot be reached, STORE_UNSUPPORTED_FORMAT if the
 * schema was made by a newer version or the database is not UTF8, a TypeError for bad arguments.
 */
export async function openPostgresStore(target: PostgresTarget, options?: PostgresStoreOptions & { readonly testHooks?: CommitHooks }): Promise<PostgresStore> {
  const resolved = resolveOptions(options);
  const driver = driverFor(target, resolved);
  try {
    await migrate(driver, resolved.schema);
  } catch (error) {
    await driver.end().catch(() => undefined);
    throw error;
  }
  return new PostgresStore(driver, resolved, options?.testHooks ?? {});
}

function driverFor(target: unknown, options: ResolvedOptions): Driver {
  if (typeof target !== "object" || target === null || Array.isArray(target)) {
    throw new TypeError(`openPostgresStore() takes { pool }, { connectionString } or { pglite }, got ${show(target)}.`);
  }
  const keys = Object.keys(target);
  if (keys.length !== 1 || !["pool", "connectionString", "pglite"].includes(keys[0]!)) {
    throw new TypeError(`openPostgresStore() takes exactly one of { pool }, { connectionString }, { pglite }, got the properties ${keys.map((key) => quote(key)).join(", ") || "none"}.`);
  }
  const given = target as { pool?: unknown; connectionString?: unknown; pglite?: unknown };
  if (keys[0] === "connectionString") {
    if (typeof given.connectionString !== "string" || given.connectionString === "") {
      throw new TypeError(`openPostgresStore() connectionString must be a postgres:// URL, got ${show(given.connectionString)}.`);
    }
    const pool = new pg.Pool({
      connectionString: given.connectionString,
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idle_in_transaction_session_timeout: options.transactionIdleMsMax,
      idleTimeoutMillis: 10_000,
      keepAlive: true,
      application_name: "@store/postgres",
    });
    // An idle connection that the server closes (a restart, pg_terminate_backend) emits "error" on
    // the pool; the pool drops it and the next query opens a new one. Unheard, it would crash.
    pool.on("error", () => undefined);
    return pgDriver(pool, true);
  }
  if (keys[0] === "pool") {
    const pool = given.pool as { connect?: unknown; query?: unknown } | null;
    if (typeof pool !== "object" || pool === null || typeof pool.connect !== "function" || typeof pool.query !== "function") {
      throw new TypeError(`openPostgresStore() pool must be a pg.Pool, got ${show(given.pool)}.`);
    }
    return pgDriver(given.pool as PgPool, false);
  }
  const pglite = given.pglite as { query?: unknown; listen?: unknown } | null;
  if (typeof pglite !== "object" || pglite === null || typeof pglite.query !== "function" || typeof pglite.listen !== "function") {
    throw new TypeError(`openPostgresStore() pglite must be a PGlite instance, got ${show(given.pglite)}.`);
  }
  return pgliteDriver(given.pglite as PGliteLike);
}
