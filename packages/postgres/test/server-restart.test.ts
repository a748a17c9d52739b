import type { StoreError } from "@store/fs";
import { scanAll } from "@store/kv";
import { describe, expect, it } from "vitest";
import { openPostgresStore } from "../src/index.js";
import { EventLog } from "@store/kv/conformance";
import { findPostgresBin, startPrivateServer } from "./helpers/private-server.js";

// The server stops (immediate shutdown: every session cut, as by a crash) and starts again while 16
// writers run. A server of this test's own, so the shared one is never stopped under other tests.

const WRITERS = 16;
const found = findPostgresBin();

describe("server restart during a load", () => {
  if (found.bin === undefined) {
    it.skip(`skipped: ${found.reason}`, () => undefined);
    return;
  }
  const bin = found.bin;

  it("clean errors while it is down, then recovery: nothing acknowledged lost, nothing refused written, the subscriber complete", async () => {
    const server = await startPrivateServer(bin);
    const kv = await openPostgresStore({ connectionString: server.url }, { reconnectAttemptsMax: 100_000, reconnectDelayMsMax: 100 });
    const log = new EventLog();
    const subscriptionErrors: StoreError[] = [];
    const subscription = await kv.subscribe(log.listener, { afterSeq: 0, onError: (error) => subscriptionErrors.push(error) });
    const acknowledged: Array<{ key: string; seq: number }> = [];
    const refused: Array<{ key: string; code: unknown }> = [];
    const load = { running: true };
    const failuresOf = new Array<number>(WRITERS).fill(0);
    try {
      const writers = Array.from({ length: WRITERS }, async (_, writer) => {
        for (let attempt = 0; load.running; attempt += 1) {
          const key = `log/${writer}/${attempt}`;
          try {
            const { seq } = await kv.batch([
              { type: "set", key, value: attempt },
              { type: "set", key: `last/${writer}`, value: attempt },
            ]);
            acknowledged.push({ key, seq });
          } catch (error) {
            refused.push({ key, code: (error as { code?: unknown }).code });
            failuresOf[writer] = failuresOf[writer]! + 1;
            // The load's own pace while the server is away (not a wait the test relies on).
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
      });
      const acks = (count: number) => new Promise<void>((resolve) => {
        const check = (): void => {
          if (acknowledged.length >= count) resolve();
          else setImmediate(check);
        };
        check();
      });
      await acks(300);
      await server.stop();
      // Every writer has failed at least once: the server was down for all of them.
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (failuresOf.every((failures) => failures > 0)) resolve();
          else setImmediate(check);
        };
        check();
      });
      const before = acknowledged.length;
      await server.start();
      await acks(before + 300);
      load.running = false;
      await Promise.all(writers);

      for (const { code } of refused) expect(["STORE_UNAVAILABLE", "STORE_UNKNOWN_OUTCOME"]).toContain(code);
      const table = new Map<string, { value: unknown; version: number }>();
      for await (const entry of scanAll(kv)) table.set(entry.key, { value: entry.value, version: entry.version });
      for (const { key, seq } of acknowledged) expect(table.get(key)?.version, key).toBe(seq);
      for (const { key, code } of refused) if (code === "STORE_UNAVAILABLE") expect(table.has(key), `${key} was refused as not written`).toBe(false);
      const { seq } = await kv.stats();
      await log.waitFor(seq);
      expect(log.seqs()).toEqual(Array.from({ length: seq }, (_, index) => index + 1));
      const view = new Map<string, unknown>();
      for (const event of log.events) for (const op of event.ops) if (op.type === "set") view.set(op.key, op.value); else view.delete(op.key);
      expect(view).toEqual(new Map([...table].map(([key, { value }]) => [key, value])));
      expect(subscriptionErrors).toEqual([]);
      expect(refused.length).toBeGreaterThan(0);
    } finally {
      load.running = false;
      await subscription.close();
      await kv.close();
      await server.destroy();
    }
  });
});
