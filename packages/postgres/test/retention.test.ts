import { expect, it } from "vitest";
import { openPostgresStore } from "../src/index.js";
import { adminClient } from "./helpers/admin.js";
import { EventLog } from "@store/kv/conformance";
import { describeOnServer, freshSchema } from "@store/testkit/postgres";

// Retention of the change table, by count and by age, as writes commit. Age is made
// deterministic by moving committed_at back by hand rather than by waiting.

async function changeSeqs(url: string, schema: string): Promise<number[]> {
  const admin = await adminClient(url);
  try {
    const { rows } = await admin.query<{ seq: string }>(`SELECT seq FROM "${schema}".changes ORDER BY seq`);
    return rows.map((row) => Number(row.seq));
  } finally {
    await admin.end();
  }
}

describeOnServer("retention of the change history", "retention", (database) => {
  it("by count: the newest changeHistoryMax changes are kept; resuming below them is STORE_HISTORY_GONE", async () => {
    const schema = freshSchema();
    const kv = await openPostgresStore({ connectionString: database().url }, { schema, changeHistoryMax: 10 });
    try {
      for (let index = 0; index < 25; index += 1) await kv.batch([{ type: "set", key: "k", value: index }]);
      // A group commit of several batches keeps the count too.
      await Promise.all(Array.from({ length: 7 }, (_, index) => kv.batch([{ type: "set", key: `g/${index}`, value: index }])));
      expect(await changeSeqs(database().url, schema)).toEqual(Array.from({ length: 10 }, (_, index) => 23 + index));
      expect(await kv.stats()).toMatchObject({ seq: 32, historyFloorSeq: 22 });
      const error = (await kv.subscribe(() => undefined, { afterSeq: 21 }).catch((caught: unknown) => caught)) as { code?: unknown };
      expect(error.code).toBe("STORE_HISTORY_GONE");
      const log = new EventLog();
      const subscription = await kv.subscribe(log.listener, { afterSeq: 22 });
      await log.waitFor(32);
      expect(log.seqs()).toEqual(Array.from({ length: 10 }, (_, index) => 23 + index));
      await subscription.close();
    } finally {
      await kv.close();
    }
  });

  it("by age: the oldest run of changes older than changeHistoryAgeMsMax goes at the next commit, never one in the middle", async () => {
    const schema = freshSchema();
    const kv = await openPostgresStore({ connectionString: database().url }, { schema, changeHistoryAgeMsMax: 60_000 });
    const admin = await adminClient(database().url);
    try {
      for (let index = 0; index < 10; index += 1) await kv.batch([{ type: "set", key: "k", value: index }]);
      // 1-4 and 6 are an hour old, 5 is not: only the unbroken run 1-4 may go.
      await admin.query(`UPDATE "${schema}".changes SET committed_at = now() - interval '1 hour' WHERE seq <= 4 OR seq = 6`);
      await kv.batch([{ type: "set", key: "k", value: 10 }]);
      expect(await changeSeqs(database().url, schema)).toEqual([5, 6, 7, 8, 9, 10, 11]);
      expect((await kv.stats()).historyFloorSeq).toBe(4);
      await admin.query(`UPDATE "${schema}".changes SET committed_at = now() - interval '1 hour' WHERE seq <= 9`);
      await kv.batch([{ type: "set", key: "k", value: 11 }]);
      expect(await changeSeqs(database().url, schema)).toEqual([10, 11, 12]);
      expect((await kv.subscribe(() => undefined, { afterSeq: 8 }).catch((caught: unknown) => caught)) as { code?: unknown }).toMatchObject({ code: "STORE_HISTORY_GONE" });
    } finally {
      await admin.end();
      await kv.close();
    }
  });
});
