import { describeOnServer } from "@store/testkit/postgres";
import { expect, it } from "vitest";
import { startTestApp, tempDir } from "./helpers.js";

// The bot on PostgreSQL (STORE_URL): two bots on one database at once, as on two hosts, then a
// restart. Needs a PostgreSQL server (STORE_PG_URL, else the local one); skipped, saying so, without.

describeOnServer("the bot on PostgreSQL (STORE_URL)", "bot", (database) => {
  const env = (): Record<string, string> => ({ STORE_URL: database().url, STORE_SCHEMA: "bot" });

  it("two bots share players, balances and the leaderboard; a restarted bot finds everything; the folder is not used", async () => {
    const dir = await tempDir();
    const first = await startTestApp(dir, env());
    const second = await startTestApp(dir, env());
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

    const again = await startTestApp(dir, env());
    expect(await again.app.storage.game.tokens.balance("alice")).toBe(130);
    expect(await again.app.storage.game.tokens.balance("bob")).toBe(70);
    // The cooldown was stored with the claim: refused (an ephemeral answer), nothing written.
    expect((await again.run("alice", "/daily")).ephemeral).toBe(true);
    expect(await again.app.storage.game.tokens.balance("alice")).toBe(130);
    expect((await again.app.storage.game.audit()).ok).toBe(true);
  });
});
