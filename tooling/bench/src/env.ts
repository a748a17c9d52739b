// The one place the benchmark reads its environment.

/** The PostgreSQL server the game suite's PostgreSQL row uses: STORE_PG_URL, or the local one. */
export const postgresUrl: string = process.env["STORE_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";
