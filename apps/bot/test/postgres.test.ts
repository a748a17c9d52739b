import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, tempDir } from "./helpers.js";

// The bot on PostgreSQL (STORE_URL): two bots on one database at once, as on two hosts, then a
// restart. Needs a PostgreSQL server (STORE_PG_URL, else the local one); skipped, saying so, without.

const serverUrl = process.env["STORE_PG_URL"] || "postgres://postgres@127.0.0.1:5432/postgres";
const unreachable = await (async () => {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    if (process.env["STORE_PG_URL"]) throw new Error(`STORE_PG_URL is set but unreachable: ${(error as Error).message}`);
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
})();

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("the bot on PostgreSQL (STORE_URL)", () => {
  if (unreachable !== undefined) {
    it.skip(`skipped: no PostgreSQL server at ${serverUrl} (${unreachable})`, () => undefined);
    return;
  }
  const database = `store_test_bot_${randomBytes(4).toString("hex")}`;
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const env = { STORE_URL: url.toString(), STORE_SCHEMA: "bot" };
  beforeAll(async () => {
    await admin(`CREATE DATABASE ${database} ENCODING 'UTF8' TEMPLATE template0`);
  });
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it("two bots share players, balances and the leaderboard; a restarted bot finds everything; the folder is not used", async () => {
    const dir = await tempDir();
    const first = await startTestApp(dir, env);
    const second = await startTestApp(dir, env);
    expect(first.app.storage.store).toBeUndefined();
    expect(first.app.healthLine).toContain("PostgreSQL");
    expect((await first.run("alice", "/daily")).ephemeral).toBe(false);
    expect((await second.run("bob", "/daily")).ephemeral).toBe(false);
    expect((await second.run("bob", "/give alice 30")).ephemeral).toBe(false);
    expect(await first.app.storage.game.tokens.balance("alice")).toBe(130);
    // A player the other bot created reaches this bot's leaderboard through the change subscription.
    await second.app.storage.game.players.upsert("carol", { name: "Carol" });
    await first.app.storage.game.catchUp();
    expect(first.app.storage.game.leaderboard.rank("carol")).toMatchObject({ id: "carol", name: "Carol" });
    expect((await first.app.storage.game.audit()).ok).toBe(true);
    await first.app.stop();
    await second.app.stop();

    const again = await startTestApp(dir, env);
    expect(await again.app.storage.game.tokens.balance("alice")).toBe(130);
    expect(await again.app.storage.game.tokens.balance("bob")).toBe(70);
    // The cooldown was stored with the claim: refused (an ephemeral answer), nothing written.
    expect((await again.run("alice", "/daily")).ephemeral).toBe(true);
    expect(await again.app.storage.game.tokens.balance("alice")).toBe(130);
    expect((await again.app.storage.game.audit()).ok).toBe(true);
  });
});
