import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, it } from "vitest";

// Where the tests find PostgreSQL: STORE_PG_URL, else the local server on 127.0.0.1:5432 (which
// .ci/run starts when it is installed but stopped). Each test file works in a database of its own,
// made here and dropped afterwards, so files run in parallel without seeing each other.

export const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestServer {
  readonly url: string;
}

export type ServerProbe = { readonly server: TestServer } | { readonly server: undefined; readonly reason: string };

/**
 * Finds the server. With STORE_PG_URL set, a server that cannot be reached is an error (the run
 * was told to use it); without it, an unreachable default server means the server tests are
 * skipped, with the reason in their name (PGlite still runs the conformance suite).
 */
export async function probeServer(): Promise<ServerProbe> {
  const explicit = process.env["STORE_PG_URL"];
  const url = explicit !== undefined && explicit !== "" ? explicit : DEFAULT_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return { server: { url } };
  } catch (error) {
    const reason = `no PostgreSQL server at ${redact(url)} (${(error as Error).message})`;
    if (explicit !== undefined && explicit !== "") throw new Error(`STORE_PG_URL is set but ${reason}`);
    return { server: undefined, reason };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** Creates an empty database for one test file; `drop()` removes it, even with sessions left open. */
export async function createTestDatabase(server: TestServer, label: string, encoding = "UTF8"): Promise<TestDatabase> {
  const name = `store_test_${label}_${randomBytes(4).toString("hex")}`;
  await admin(server.url, `CREATE DATABASE ${name} ENCODING '${encoding}' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(server.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let schemaCounter = 0;

/** A schema name no other store of this test file uses. */
export function freshSchema(prefix = "s"): string {
  schemaCounter += 1;
  return `${prefix}_${process.pid}_${schemaCounter}`;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "STORE_PG_URL";
  }
}

/**
 * Registers `body`'s tests against a fresh database of the server, or one skipped test naming why
 * there is none. `database()` is the file's database once `beforeAll` ran.
 */
export function describeOnServer(title: string, label: string, body: (database: () => TestDatabase) => void): void {
  describe(title, () => {
    if (probe.server === undefined) {
      it.skip(`skipped: ${probe.reason}`, () => undefined);
      return;
    }
    const server = probe.server;
    let database: TestDatabase | undefined;
    beforeAll(async () => {
      database = await createTestDatabase(server, label);
    });
    afterAll(async () => {
      await database?.drop();
    });
    body(() => {
      if (database === undefined) throw new Error("the test database was not created");
      return database;
    });
  });
}

const probe = await probeServer();
