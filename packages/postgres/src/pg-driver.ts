import pg from "pg";
import type { Driver, Row, Session, Statement } from "./driver.js";
import { identifier } from "./driver.js";

/** What the store uses of a `pg.Pool`: any pool of `pg` 8 (or one shaped like it) will do. */
export type PgPool = pg.Pool;

interface ClientWithPid {
  readonly processID?: unknown;
}

/**
 * A driver over a `pg.Pool`. A pool the caller passes in stays theirs (`end()` leaves it open);
 * one made from a connection string is ended by `end()`.
 */
export function pgDriver(pool: pg.Pool, owned: boolean): Driver {
  const options = pool.options as { host?: unknown; port?: unknown; database?: unknown; connectionString?: unknown };
  const where = describe(options);
  // A checked-out client whose connection dies emits "error"; with no listener that would crash
  // the process. The failing query rejects as well, which is where the store handles it.
  const ignore = (): void => undefined;
  return {
    where,
    async query(statement: Statement, params: readonly unknown[] = []): Promise<Row[]> {
      const result = await pool.query(config(statement, params));
      return result.rows as Row[];
    },
    async session(): Promise<Session> {
      const client = await pool.connect();
      client.on("error", ignore);
      let released = false;
      const pid = (client as unknown as ClientWithPid).processID;
      return {
        backendPid: typeof pid === "number" ? pid : undefined,
        async query(statement: Statement, params: readonly unknown[] = []): Promise<Row[]> {
          const result = await client.query(config(statement, params));
          return result.rows as Row[];
        },
        release(broken: boolean): void {
          if (released) return;
          released = true;
          client.off("error", ignore);
          client.release(broken ? new Error("@store/postgres: the connection failed; closing it") : undefined);
        },
      };
    },
    async listen(channel, onNotify, onLost) {
      const client = await pool.connect();
      let lost = false;
      const fail = (error: unknown): void => {
        if (lost) return;
        lost = true;
        client.off("notification", notified);
        client.release(error instanceof Error ? error : new Error(String(error)));
        onLost(error);
      };
      const notified = (message: pg.Notification): void => {
        if (message.channel === channel) onNotify(message.payload ?? "");
      };
      const ended = (): void => {
        fail(new Error("the LISTEN connection ended"));
      };
      client.on("notification", notified);
      client.on("error", fail);
      client.on("end", ended);
      try {
        await client.query(`LISTEN ${identifier(channel)}`);
      } catch (error) {
        client.off("error", fail);
        client.off("end", ended);
        fail(error);
        throw error;
      }
      return async () => {
        if (lost) return;
        lost = true;
        client.off("notification", notified);
        client.off("end", ended);
        try {
          await client.query(`UNLISTEN ${identifier(channel)}`);
          client.off("error", fail);
          client.release();
        } catch (error) {
          client.off("error", fail);
          client.release(error instanceof Error ? error : new Error(String(error)));
        }
      };
    },
    async end(): Promise<void> {
      if (owned) await pool.end();
    },
  };
}

// A named statement is prepared once per connection; the unnamed ones (BEGIN, DDL) are not.
function config(statement: Statement, params: readonly unknown[]): pg.QueryConfig {
  return statement.name === "" ? { text: statement.text, values: [...params] } : { name: statement.name, text: statement.text, values: [...params] };
}

function describe(options: { host?: unknown; port?: unknown; database?: unknown; connectionString?: unknown }): string {
  if (typeof options.connectionString === "string") {
    try {
      const url = new URL(options.connectionString);
      return `${url.hostname || "localhost"}:${url.port || "5432"}${url.pathname}`;
    } catch {
      return "a connection string";
    }
  }
  const host = typeof options.host === "string" ? options.host : "localhost";
  const port = typeof options.port === "number" || typeof options.port === "string" ? String(options.port) : "5432";
  const database = typeof options.database === "string" ? options.database : "";
  return `${host}:${port}/${database}`;
}
