import type { ChangeOp, WriteResult } from "@store/kv";
import { scanAll } from "@store/kv";
import { expect, it } from "vitest";
import { openPostgresStore, type PostgresStore } from "../src/index.js";
import { adminClient } from "./helpers/admin.js";
import { EventLog } from "@store/kv/conformance";
import { describeOnServer, freshSchema } from "@store/testkit/postgres";

// Seq order is commit order, across every connection writing the database: a reader that only ever
// asks for "the changes after the last seq I saw" misses nothing. With seqs from a sequence (taken
// at insert, committed in any order) the raw poller below would see seq n+1 before n commits, move
// past n, and never see it.

const STORES = 4;
const WRITERS = 16;
const BATCHES = 20;

describeOnServer("subscriptions under concurrent writers on several pools", "order", (database) => {
  it(`${STORES} pools x ${WRITERS} concurrent writers: a raw poller never sees a gap, every subscriber gets every batch once in seq order, and its view equals the table`, async () => {
    const schema = freshSchema();
    const stores: PostgresStore[] = [];
    for (let index = 0; index < STORES; index += 1) stores.push(await openPostgresStore({ connectionString: database().url }, { schema, poolSize: 4 }));
    const logs = stores.map(() => new EventLog());
    const subscriptions = await Promise.all(stores.map((store, index) => store.subscribe(logs[index]!.listener, { afterSeq: 0 })));
    const poller = await adminClient(database().url);
    const total = STORES * WRITERS * BATCHES;
    const load = { running: true };
    const polled: number[] = [];
    const poll = (async () => {
      while (load.running || polled.length < total) {
        const last = polled.length === 0 ? 0 : polled[polled.length - 1]!;
        const { rows } = await poller.query<{ seq: string }>(`SELECT seq FROM "${schema}".changes WHERE seq > $1 ORDER BY seq`, [last]);
        for (const row of rows) polled.push(Number(row.seq));
      }
    })();
    try {
      const written: Array<{ seq: number; ops: ChangeOp[] }> = [];
      await Promise.all(
        stores.flatMap((store, storeIndex) =>
          Array.from({ length: WRITERS }, async (_, writer) => {
            for (let round = 0; round < BATCHES; round += 1) {
              const ops: ChangeOp[] = [
                { type: "set", key: `w/${storeIndex}/${writer}`, value: { round } },
                { type: "set", key: `shared/${(writer + round) % 7}`, value: [storeIndex, writer, round] },
                ...(round % 5 === 4 ? [{ type: "delete" as const, key: `shared/${(writer + round + 3) % 7}` }] : []),
              ];
              const result: WriteResult = await store.batch(ops);
              written.push({ seq: result.seq, ops });
            }
          }),
        ),
      );
      load.running = false;
      await poll;
      const expected = Array.from({ length: total }, (_, index) => index + 1);
      expect(polled).toEqual(expected);
      expect(written.map(({ seq }) => seq).sort((a, b) => a - b)).toEqual(expected);
      written.sort((a, b) => a.seq - b.seq);
      const table = new Map<string, unknown>();
      for await (const entry of scanAll(stores[0]!)) table.set(entry.key, entry.value);
      for (const log of logs) {
        await log.waitFor(total);
        expect(log.events).toEqual(written);
        const view = new Map<string, unknown>();
        for (const event of log.events) for (const op of event.ops) if (op.type === "set") view.set(op.key, op.value); else view.delete(op.key);
        expect(view).toEqual(table);
      }
    } finally {
      load.running = false;
      await poll.catch(() => undefined);
      await poller.end();
      for (const subscription of subscriptions) await subscription.close();
      for (const store of stores) await store.close();
    }
  });
});
