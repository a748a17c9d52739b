import { StoreError } from "@store/fs";
import type { Driver, Session, Statement } from "./driver.js";
import { identifier } from "./driver.js";
import { unavailable } from "./errors.js";
import { safeInteger } from "./numbers.js";
import { BEGIN, COMMIT } from "./sql.js";

// The store creates and upgrades its own tables, in its own schema, by numbered migrations recorded
// in `<schema>.migrations`. Several processes may start at once: each runs the migrations in one
// transaction that first takes a transaction-level advisory lock on the schema's name, so the
// second waits for the first to commit, then finds every version applied and does nothing. A
// migration is never edited once released; a change of schema is a new one at the end of the list.

interface Migration {
  readonly version: number;
  readonly description: string;
  readonly statements: (table: (name: string) => string) => string[];
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "entries (UTF-16BE sort key, JSON text), changes (dense seqs), the counter row",
    statements: (t) => [
      // fillfactor leaves room on each page so that updating a value is a HOT update (no index write).
      `CREATE TABLE ${t("entries")} (
        sort_key bytea PRIMARY KEY,
        key text NOT NULL,
        value text NOT NULL,
        version bigint NOT NULL CHECK (version BETWEEN 1 AND 9007199254740991)
      ) WITH (fillfactor = 80)`,
      `CREATE TABLE ${t("changes")} (
        seq bigint PRIMARY KEY CHECK (seq BETWEEN 1 AND 9007199254740991),
        committed_at timestamptz NOT NULL,
        ops text NOT NULL
      )`,
      `CREATE TABLE ${t("counter")} (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        seq bigint NOT NULL CHECK (seq BETWEEN 0 AND 9007199254740991),
        keys bigint NOT NULL CHECK (keys >= 0),
        history_floor bigint NOT NULL CHECK (history_floor BETWEEN 0 AND seq)
      ) WITH (fillfactor = 50)`,
      `INSERT INTO ${t("counter")} (seq, keys, history_floor) VALUES (0, 0, 0)`,
    ],
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** 'STOR': the first key of the advisory lock; the second is a hash of the schema's name. */
const LOCK_CLASS = 0x53544f52;

const statement = (text: string): Statement => ({ name: "", text });

/** Creates or upgrades the schema to SCHEMA_VERSION; safe to run from many processes at once. */
export async function migrate(driver: Driver, schema: string): Promise<void> {
  let session: Session;
  try {
    session = await driver.session();
  } catch (error) {
    throw unavailable("Opening the store", driver.where, error);
  }
  let broken = true;
  try {
    await checkEncoding(session, driver.where);
    await session.query(BEGIN);
    await session.query(statement("SELECT pg_advisory_xact_lock($1::int, hashtext($2::text))"), [LOCK_CLASS, schema]);
    const s = identifier(schema);
    await session.query(statement(`CREATE SCHEMA IF NOT EXISTS ${s}`));
    await session.query(
      statement(`CREATE TABLE IF NOT EXISTS ${s}.migrations (version int PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`),
    );
    const [row] = await session.query(statement(`SELECT coalesce(max(version), 0) AS version FROM ${s}.migrations`));
    const applied = safeInteger(row?.["version"], `${schema}.migrations.version`);
    if (applied > SCHEMA_VERSION) {
      throw new StoreError(
        "STORE_UNSUPPORTED_FORMAT",
        `The schema ${schema} on ${driver.where} is at version ${applied}, made by a newer @store/postgres; this one knows up to ${SCHEMA_VERSION}. Upgrade @store/postgres.`,
      );
    }
    for (const migration of MIGRATIONS.filter((candidate) => candidate.version > applied)) {
      for (const text of migration.statements((name) => `${s}.${name}`)) await session.query(statement(text));
      await session.query(statement(`INSERT INTO ${s}.migrations (version, description) VALUES ($1::int, $2::text)`), [migration.version, migration.description]);
    }
    await session.query(COMMIT);
    broken = false;
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw unavailable(`Creating or upgrading the schema ${schema}`, driver.where, error);
  } finally {
    // A failed session is closed rather than reused: closing it rolls back what it had begun.
    session.release(broken);
  }
}

// Keys and JSON travel as text, so the database must hold any Unicode text: UTF8.
async function checkEncoding(session: Session, where: string): Promise<void> {
  const [row] = await session.query(statement("SELECT current_setting('server_encoding') AS encoding"));
  const encoding = row?.["encoding"];
  if (encoding !== "UTF8") {
    throw new StoreError(
      "STORE_UNSUPPORTED_FORMAT",
      `The database on ${where} has encoding ${String(encoding)}; @store/postgres needs UTF8 (create it with ENCODING 'UTF8').`,
    );
  }
}
