import type { ChangeOp } from "@store/kv";
import { EventLog } from "@store/kv/conformance";
import { expect, it } from "vitest";
import { openPostgresStore, type PostgresStore } from "../src/index.js";
import { describeOnServer, freshSchema } from "@store/testkit/postgres";

// Changes committed by another pool reach a subscriber through the change table, not this process's
// own commits: its prefixes apply there too, its position moves over the changes it skips, and
// caughtUp() (a read of the counter) resolves once it has passed every one of them.

describeOnServer("subscriptions with prefixes across pools", "prefixes", (database) => {
  it("a subscriber on another pool gets only the ops under its prefixes, and caughtUp() passes the skipped changes", async () => {
    const schema = freshSchema();
    const writer: PostgresStore = await openPostgresStore({ connectionString: database().url }, { schema, poolSize: 4 });
    const reader: PostgresStore = await openPostgresStore({ connectionString: database().url }, { schema, poolSize: 2 });
    try {
      const log = new EventLog();
      const subscription = await reader.subscribe(log.listener, { prefixes: ["players/", "games/"] });
      const written: Array<{ seq: number; ops: ChangeOp[] }> = [];
      await Promise.all(
        Array.from({ length: 8 }, async (_, task) => {
          for (let round = 0; round < 10; round += 1) {
            const ops: ChangeOp[] = [
              { type: "set", key: `tokens/${task}`, value: round },
              ...(round % 3 === 0 ? [{ type: "set" as const, key: `players/${task}`, value: { round } }] : []),
              ...(round % 4 === 1 ? [{ type: "delete" as const, key: `games/${task}-${round}` }] : []),
            ];
            written.push({ seq: (await writer.batch(ops)).seq, ops });
          }
        }),
      );
      const last = Math.max(...written.map(({ seq }) => seq));
      expect(await subscription.caughtUp()).toBeGreaterThanOrEqual(last);
      const expected = written
        .sort((a, b) => a.seq - b.seq)
        .map(({ seq, ops }) => ({ seq, ops: ops.filter((op) => op.key.startsWith("players/") || op.key.startsWith("games/")) }))
        .filter(({ ops }) => ops.length > 0);
      expect(log.events).toEqual(expected);
      await subscription.close();
      await expect(subscription.caughtUp()).rejects.toMatchObject({ code: "STORE_CLOSED" });
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});
