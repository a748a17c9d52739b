export { StoreError, type StoreErrorCode } from "@store/fs";
export { openPostgresStore, type PostgresTarget } from "./open.js";
export { PostgresStore, type PostgresExport, type PostgresStoreStats } from "./store.js";
export { DEFAULTS as POSTGRES_STORE_DEFAULTS, type PostgresStoreOptions } from "./options.js";
export { SCHEMA_VERSION } from "./migrations.js";
export type { CommitHooks } from "./committer.js";
export type { PGliteLike } from "./pglite-driver.js";
export type { PgPool } from "./pg-driver.js";
