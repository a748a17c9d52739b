import { quote } from "@store/fs";

/** Options of `openPostgresStore`, every limit named with its unit. */
export interface PostgresStoreOptions {
  /** The schema holding the store's tables (created if missing): 1 to 48 of a-z 0-9 _, not starting with a digit. Default "store". */
  readonly schema?: string;
  /** Most changes kept for `subscribe({ afterSeq })`; older ones are deleted as new ones commit. Default 100,000. */
  readonly changeHistoryMax?: number;
  /** Changes older than this are deleted as new ones commit, whatever their number. Default 604,800,000 (7 days); Infinity: no age limit. */
  readonly changeHistoryAgeMsMax?: number;
  /** Most batches written by one transaction (group commit). Default 256. */
  readonly commitGroupBatchesMax?: number;
  /** Most bytes (as `BATCH_BYTES_MAX` counts them) in one transaction; a single larger batch still goes alone. Default 8,388,608 (8 MiB). */
  readonly commitGroupBytesMax?: number;
  /** Attempts to reach the server again after the subscription's connection failed, before subscribers hear STORE_UNAVAILABLE. Default 10. */
  readonly reconnectAttemptsMax?: number;
  /** Longest wait between two of those attempts (they back off from 50 ms, doubling). Default 2,000. */
  readonly reconnectDelayMsMax?: number;
  /** Connections of the pool made from `connectionString` (not of a pool you pass). Default 10. */
  readonly poolSize?: number;
  /** How long the pool made from `connectionString` waits for a connection before failing. Default 10,000. */
  readonly connectTimeoutMs?: number;
  /**
   * The server ends a session of the pool made from `connectionString` that stays this long inside
   * a transaction without sending anything (PostgreSQL's idle_in_transaction_session_timeout), so a
   * client that hangs or is cut off while holding the counter lock cannot stop every writer. Default 60,000.
   */
  readonly transactionIdleMsMax?: number;
}

export interface ResolvedOptions {
  readonly schema: string;
  readonly changeHistoryMax: number;
  readonly changeHistoryAgeMsMax: number;
  readonly commitGroupBatchesMax: number;
  readonly commitGroupBytesMax: number;
  readonly reconnectAttemptsMax: number;
  readonly reconnectDelayMsMax: number;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly transactionIdleMsMax: number;
}

export const DEFAULTS: ResolvedOptions = {
  schema: "store",
  changeHistoryMax: 100_000,
  changeHistoryAgeMsMax: 7 * 24 * 60 * 60 * 1000,
  commitGroupBatchesMax: 256,
  commitGroupBytesMax: 8 * 1024 * 1024,
  reconnectAttemptsMax: 10,
  reconnectDelayMsMax: 2_000,
  poolSize: 10,
  connectTimeoutMs: 10_000,
  transactionIdleMsMax: 60_000,
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) return DEFAULTS;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`openPostgresStore() options must be an object, got ${show(options)}.`);
  }
  const given = options as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!(name in DEFAULTS) && name !== "testHooks") {
      throw new TypeError(`openPostgresStore() has no option ${quote(name)}; the known ones are ${Object.keys(DEFAULTS).join(", ")}.`);
    }
  }
  const schema = given["schema"] ?? DEFAULTS.schema;
  if (typeof schema !== "string" || !SCHEMA_NAME.test(schema)) {
    throw new TypeError(`Option schema must be 1 to 48 of a-z 0-9 _ (not starting with a digit), got ${show(schema)}.`);
  }
  return {
    schema,
    changeHistoryMax: integer(given, "changeHistoryMax", 1, false),
    changeHistoryAgeMsMax: integer(given, "changeHistoryAgeMsMax", 1, true),
    commitGroupBatchesMax: integer(given, "commitGroupBatchesMax", 1, false),
    commitGroupBytesMax: integer(given, "commitGroupBytesMax", 1, false),
    reconnectAttemptsMax: integer(given, "reconnectAttemptsMax", 0, false),
    reconnectDelayMsMax: integer(given, "reconnectDelayMsMax", 0, false),
    poolSize: integer(given, "poolSize", 2, false),
    connectTimeoutMs: integer(given, "connectTimeoutMs", 1, false),
    transactionIdleMsMax: integer(given, "transactionIdleMsMax", 1, false),
  };
}

function integer(given: Record<string, unknown>, name: keyof ResolvedOptions, min: number, infinite: boolean): number {
  const value = given[name] ?? DEFAULTS[name];
  if (infinite && value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`Option ${name} must be an integer from ${min}${infinite ? " (or Infinity)" : ""}, got ${show(value)}.`);
  }
  return value;
}

/** Input quoted for a TypeError message, shortened. */
export function show(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "number" || typeof value === "boolean" || value === undefined || value === null) return String(value);
  if (typeof value === "function") return "a function";
  return Array.isArray(value) ? "an array" : typeof value;
}
