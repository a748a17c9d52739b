import { randomBytes } from "node:crypto";
import { postgresUrl } from "../env.js";
import { KvGame } from "./kv-game.js";
import type { GameSystem } from "./system.js";

type PgModule = typeof import("pg").default;

/** The server URL with its password hidden, for messages. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable STORE_PG_URL)";
  }
}

/** Runs `task` on one connection to the server's maintenance database (the one STORE_PG_URL names), then closes it. */
export async function withAdmin<T>(pg: PgModule, task: (client: InstanceType<PgModule["Client"]>) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`no PostgreSQL server answers at ${shown(postgresUrl)} (set STORE_PG_URL): ${reason}`, { cause: error });
  }
  try {
    return await task(client);
  } finally {
    await client.end();
  }
}

/** Resolves when the server answers and lets this user create databases; rejects saying why not. */
export async function checkPostgres(): Promise<void> {
  const { default: pg } = await import("pg");
  await import("@store/postgres");
  await withAdmin(pg, async (client) => {
    const { rows } = await client.query<{ allowed: boolean }>("SELECT rolcreatedb OR rolsuper AS allowed FROM pg_roles WHERE rolname = current_user");
    if (rows[0]?.allowed !== true) throw new Error(`the user of ${shown(postgresUrl)} may not create databases`);
  });
}

/**
 * `@store/game` on `@store/postgres` with its defaults (a pool of 10, group commit), on the server
 * STORE_PG_URL names (default the local one). Each open makes a database of its own
 * (`store_bench_<random>`), dropped at close: nothing is left on the server.
 */
export async function createPostgresGame(): Promise<GameSystem> {
  const [{ default: pg }, { openPostgresStore }, { createGame }] = await Promise.all([
    import("pg"),
    import("@store/postgres"),
    import("@store/game"),
  ]);
  return new KvGame(
    {
      open: async () => {
        const database = `store_bench_${randomBytes(6).toString("hex")}`;
        await withAdmin(pg, (client) => client.query(`CREATE DATABASE ${database}`));
        const url = new URL(postgresUrl);
        url.pathname = `/${database}`;
        const drop = (): Promise<unknown> => withAdmin(pg, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
        try {
          const kv = await openPostgresStore({ connectionString: url.toString() });
          return {
            kv,
            close: async () => {
              try {
                await kv.close();
              } finally {
                await drop();
              }
            },
          };
        } catch (error) {
          await drop();
          throw error;
        }
      },
      compacts: false,
      dataElsewhere: true,
    },
    createGame,
  );
}
