import pg from "pg";

/** A connection of the test's own, to look at and interfere with the store's sessions. */
export async function adminClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** Terminates a server process and waits until it is gone (pg_terminate_backend with a timeout waits). */
export async function terminate(admin: pg.Client, pid: number): Promise<void> {
  const { rows } = await admin.query<{ done: boolean }>("SELECT pg_terminate_backend($1, 30000) AS done", [pid]);
  if (rows[0]?.done !== true) throw new Error(`backend ${pid} was not terminated`);
}

/** Polls (no fixed wait) until `condition` holds. */
export async function until(condition: () => Promise<boolean>, what: string, attemptsMax = 10_000): Promise<void> {
  for (let attempt = 0; attempt < attemptsMax; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting until ${what}`);
}

/** Whether some session of the database waits for a lock right now. */
export async function someoneWaitsForALock(admin: pg.Client): Promise<boolean> {
  const { rows } = await admin.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return Number(rows[0]?.n) > 0;
}
