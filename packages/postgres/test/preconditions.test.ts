import { expect, it } from "vitest";
import { openPostgresStore, type PostgresStore } from "../src/index.js";
import { adminClient, someoneWaitsForALock, until } from "./helpers/admin.js";
import { describeOnServer, freshSchema } from "@store/testkit/postgres";

// Preconditions under concurrency, across two pools (two processes, as far as the server can tell).
// Each write transaction locks the counter row before it reads the versions it checks, so a second
// transaction cannot check until the first committed. Without that lock both would see the key
// missing while the first is paused between its check and its write, and both would "create" it.

describeOnServer("preconditions across connections", "preconditions", (database) => {
  it("two transactions creating the same key (ifVersion: null) while the first is paused after its check: exactly one wins", async () => {
    const schema = freshSchema();
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let checked!: () => void;
    const firstChecked = new Promise<void>((resolve) => (checked = resolve));
    let secondChecked = false;
    const first = await openPostgresStore({ connectionString: database().url }, { schema, testHooks: { afterCheck: async () => {
      checked();
      await paused;
    } } });
    const second = await openPostgresStore({ connectionString: database().url }, { schema, testHooks: { afterCheck: () => {
      secondChecked = true;
    } } });
    const admin = await adminClient(database().url);
    try {
      const a = first.batch([{ type: "set", key: "once", value: "first", ifVersion: null }]);
      await firstChecked;
      const b = second.batch([{ type: "set", key: "once", value: "second", ifVersion: null }]);
      // The second transaction either waits for the counter lock (correct) or got past its own
      // check (the race this guards against); either way, let the first go on now.
      await until(async () => secondChecked || (await someoneWaitsForALock(admin)), "the second writer waits or checked");
      release();
      const outcomes = await Promise.allSettled([a, b]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected"]);
      const rejection = (outcomes[1] as PromiseRejectedResult).reason as { code?: unknown; key?: unknown };
      expect(rejection.code).toBe("STORE_CONFLICT");
      expect(rejection.key).toBe("once");
      expect(await second.get("once")).toMatchObject({ value: "first", version: 1 });
      expect((await second.stats()).seq).toBe(1);
    } finally {
      await admin.end();
      await first.close();
      await second.close();
    }
  });

  it("16 racing creates from 4 pools: exactly one commits; 4 pools x 8 incrementers with update-style retries end exact", async () => {
    const schema = freshSchema();
    const stores: PostgresStore[] = [];
    for (let index = 0; index < 4; index += 1) stores.push(await openPostgresStore({ connectionString: database().url }, { schema, poolSize: 4 }));
    try {
      const outcomes = await Promise.allSettled(Array.from({ length: 16 }, (_, index) => stores[index % 4]!.batch([{ type: "set", key: "k", value: index, ifVersion: null }])));
      expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
      for (const outcome of outcomes) if (outcome.status === "rejected") expect((outcome.reason as { code?: unknown }).code).toBe("STORE_CONFLICT");

      const increment = async (store: PostgresStore): Promise<void> => {
        for (let attempt = 0; attempt < 64; attempt += 1) {
          const entry = await store.get("counter");
          const value = typeof entry?.value === "number" ? entry.value : 0;
          try {
            await store.batch([{ type: "set", key: "counter", value: value + 1, ifVersion: entry?.version ?? null }]);
            return;
          } catch (error) {
            if ((error as { code?: unknown }).code !== "STORE_CONFLICT") throw error;
          }
        }
        throw new Error("no progress in 64 attempts");
      };
      await Promise.all(Array.from({ length: 32 }, (_, index) => increment(stores[index % 4]!)));
      expect((await stores[0]!.get("counter"))?.value).toBe(32);
    } finally {
      for (const store of stores) await store.close();
    }
  });
});
