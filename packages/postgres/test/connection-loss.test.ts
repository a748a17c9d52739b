import { expect, it } from "vitest";
import { openPostgresStore } from "../src/index.js";
import { adminClient, terminate, until } from "./helpers/admin.js";
import { startCommitCutter, type CutMode } from "./helpers/proxy.js";
import { describeOnServer, freshSchema } from "@store/testkit/postgres";
import { EventLog } from "@store/kv/conformance";

// A lost connection before COMMIT is a clean failure (STORE_UNAVAILABLE, nothing written); one lost
// during COMMIT has an unknown outcome (STORE_UNKNOWN_OUTCOME); either way the pool recovers. The
// connection is cut at exact points of the write transaction through the store's test hooks, by
// terminating its server process (pg_terminate_backend) or by a proxy that loses the COMMIT.

describeOnServer("connection loss", "connloss", (database) => {
  it("terminated before COMMIT (every attempt): STORE_UNAVAILABLE, nothing written, and the next batch works", async () => {
    const admin = await adminClient(database().url);
    let cuts = 0;
    let cutting = true;
    const kv = await openPostgresStore(
      { connectionString: database().url },
      {
        schema: freshSchema(),
        testHooks: {
          afterCheck: async ({ backendPid }) => {
            if (!cutting) return;
            cuts += 1;
            await terminate(admin, backendPid!);
          },
        },
      },
    );
    try {
      const error = (await kv.batch([{ type: "set", key: "k", value: 1 }]).catch((caught: unknown) => caught)) as { code?: unknown; message?: unknown };
      expect(error.code, String(error.message)).toBe("STORE_UNAVAILABLE");
      // One immediate retry on a fresh connection (a pooled connection may have died idle), then the error.
      expect(cuts).toBe(2);
      expect(await kv.get("k")).toBeUndefined();
      expect(await kv.stats()).toMatchObject({ seq: 0, keys: 0 });
      cutting = false;
      expect(await kv.batch([{ type: "set", key: "k", value: 2 }])).toEqual({ seq: 1 });
      expect(await kv.get("k")).toEqual({ key: "k", value: 2, version: 1 });
    } finally {
      await kv.close();
      await admin.end();
    }
  });

  it("terminated before COMMIT once: the batch is retried on a new connection and commits once", async () => {
    const admin = await adminClient(database().url);
    let cuts = 0;
    const kv = await openPostgresStore(
      { connectionString: database().url },
      {
        schema: freshSchema(),
        testHooks: {
          afterCheck: async ({ backendPid }) => {
            cuts += 1;
            if (cuts === 1) await terminate(admin, backendPid!);
          },
        },
      },
    );
    try {
      expect(await kv.batch([{ type: "set", key: "k", value: 1, ifVersion: null }])).toEqual({ seq: 1 });
      expect(cuts).toBe(2);
      expect(await kv.stats()).toMatchObject({ seq: 1, keys: 1 });
    } finally {
      await kv.close();
      await admin.end();
    }
  });

  for (const mode of ["before", "after"] as const satisfies readonly CutMode[]) {
    it(`the answer to COMMIT lost (${mode === "before" ? "COMMIT never reached the server" : "the server committed"}): STORE_UNKNOWN_OUTCOME; the pool recovers; subscribers see exactly what committed`, async () => {
      const url = new URL(database().url);
      const cutter = await startCommitCutter(Number(url.port || 5432), url.hostname);
      url.port = String(cutter.port);
      let cut: Promise<void> | undefined;
      const kv = await openPostgresStore(
        { connectionString: url.toString() },
        {
          schema: freshSchema(),
          testHooks: {
            beforeCommit: () => {
              cut ??= cutter.arm(mode);
            },
          },
        },
      );
      const log = new EventLog();
      const subscription = await kv.subscribe(log.listener);
      try {
        const error = (await kv.batch([{ type: "set", key: "k", value: "maybe" }]).catch((caught: unknown) => caught)) as { code?: unknown; message?: unknown };
        await cut;
        expect(error.code, String(error.message)).toBe("STORE_UNKNOWN_OUTCOME");
        const applied = mode === "after";
        expect(await kv.get("k")).toEqual(applied ? { key: "k", value: "maybe", version: 1 } : undefined);
        const { seq } = await kv.batch([{ type: "set", key: "after", value: 1 }]);
        expect(seq).toBe(applied ? 2 : 1);
        await log.waitFor(seq);
        expect(log.events).toEqual([
          ...(applied ? [{ seq: 1, ops: [{ type: "set", key: "k", value: "maybe" }] }] : []),
          { seq, ops: [{ type: "set", key: "after", value: 1 }] },
        ]);
      } finally {
        await subscription.close();
        await kv.close();
        await cutter.close();
      }
    });
  }

  it("every idle connection of the pool terminated (as by a server restart): the next reads and writes work", async () => {
    const admin = await adminClient(database().url);
    const kv = await openPostgresStore({ connectionString: database().url }, { schema: freshSchema() });
    try {
      await Promise.all(Array.from({ length: 8 }, (_, index) => kv.batch([{ type: "set", key: `k/${index}`, value: index }])));
      await Promise.all(Array.from({ length: 8 }, (_, index) => kv.get(`k/${index}`)));
      await admin.query("SELECT pg_terminate_backend(pid, 30000) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
      expect(await kv.scan({ prefix: "k/" })).toHaveLength(8);
      expect((await kv.batch([{ type: "delete", key: "k/0" }])).seq).toBe(9);
      expect((await kv.stats()).keys).toBe(7);
    } finally {
      await kv.close();
      await admin.end();
    }
  });

  it("the subscription's connection terminated: it connects again and delivers every change, also those another process committed meanwhile", async () => {
    const admin = await adminClient(database().url);
    const schema = freshSchema();
    const reader = await openPostgresStore({ connectionString: database().url }, { schema });
    const writer = await openPostgresStore({ connectionString: database().url }, { schema });
    const log = new EventLog();
    const errors: unknown[] = [];
    const subscription = await reader.subscribe(log.listener, { onError: (error) => errors.push(error) });
    try {
      const first = await writer.batch([{ type: "set", key: "a", value: 1 }]);
      await log.waitFor(first.seq);
      const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'");
      expect(rows).toHaveLength(1);
      await terminate(admin, rows[0]!.pid);
      const seqs = [first.seq];
      for (let index = 0; index < 5; index += 1) seqs.push((await writer.batch([{ type: "set", key: `b/${index}`, value: index }])).seq);
      await log.waitFor(seqs[seqs.length - 1]!);
      expect(log.seqs()).toEqual(seqs);
      expect(errors).toEqual([]);
    } finally {
      await subscription.close();
      await reader.close();
      await writer.close();
      await admin.end();
    }
  });

  it("a client stalled inside its write transaction is cut off by the server after transactionIdleMsMax: the counter lock is freed for the others, and its batch is retried", async () => {
    const admin = await adminClient(database().url);
    const schema = freshSchema();
    const state = { stalled: false };
    const stalling = await openPostgresStore(
      { connectionString: database().url },
      {
        schema,
        transactionIdleMsMax: 200,
        testHooks: {
          afterCheck: async ({ backendPid }) => {
            if (state.stalled) return;
            state.stalled = true;
            // Hold the transaction open, sending nothing, until the server has ended the session.
            await until(async () => (await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [backendPid])).rowCount === 0, "the server ends the idle transaction");
          },
        },
      },
    );
    const other = await openPostgresStore({ connectionString: database().url }, { schema });
    try {
      const stalled = stalling.batch([{ type: "set", key: "a", value: 1 }]);
      await until(async () => state.stalled, "the first writer holds the counter lock");
      const [first, second] = await Promise.all([stalled, other.batch([{ type: "set", key: "b", value: 2 }])]);
      expect(new Set([first.seq, second.seq])).toEqual(new Set([1, 2]));
      expect(await other.getMany(["a", "b"])).toEqual([
        { key: "a", value: 1, version: first.seq },
        { key: "b", value: 2, version: second.seq },
      ]);
    } finally {
      await stalling.close();
      await other.close();
      await admin.end();
    }
  });
});
