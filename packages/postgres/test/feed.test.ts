import { describe, expect, it } from "vitest";
import type { StoreError } from "@store/fs";
import type { Driver, Row, Statement } from "../src/driver.js";
import { ChangeFeed } from "../src/feed.js";
import { DEFAULTS } from "../src/options.js";
import { Statements } from "../src/sql.js";
import { EventLog } from "@store/kv/conformance";

// The feed against a scripted driver: what it does when the change table holds a gap (retention
// deleted a change this subscriber had not read yet), which no real timing can produce on demand.

function scriptedDriver(changes: Array<{ seq: number; ops: string }>, counterSeq: number): Driver {
  const sql = new Statements("s");
  return {
    where: "scripted",
    async query(statement: Statement, params: readonly unknown[] = []): Promise<Row[]> {
      if (statement.name === sql.counter.name) return [{ seq: counterSeq, keys: 0, history_floor: 0 }];
      if (statement.name === sql.changesAfter.name) return changes.filter((change) => change.seq > Number(params[0]));
      throw new Error(`unexpected ${statement.name}`);
    },
    session: () => Promise.reject(new Error("no sessions here")),
    listen: async () => async () => undefined,
    end: async () => undefined,
  };
}

const op = (key: string): string => JSON.stringify([{ type: "set", key, value: key }]);

describe("the change feed", () => {
  it("a gap after the events delivered ends the subscription with STORE_HISTORY_GONE; no event follows", async () => {
    const feed = new ChangeFeed(scriptedDriver([{ seq: 1, ops: op("a") }, { seq: 2, ops: op("b") }, { seq: 4, ops: op("d") }], 4), new Statements("s"), DEFAULTS);
    const log = new EventLog();
    const error = await new Promise<StoreError>((resolve) => {
      void feed.subscribe(log.listener, { afterSeq: 0, prefixes: undefined, onError: resolve });
    });
    expect(error.code).toBe("STORE_HISTORY_GONE");
    expect(log.seqs()).toEqual([1, 2]);
    await feed.close();
  });

  it("a subscription whose next change was deleted before its first read ends the same way, before any event", async () => {
    const feed = new ChangeFeed(scriptedDriver([{ seq: 3, ops: op("c") }], 3), new Statements("s"), DEFAULTS);
    const log = new EventLog();
    const error = await new Promise<StoreError>((resolve) => {
      void feed.subscribe(log.listener, { afterSeq: 1, prefixes: undefined, onError: resolve });
    });
    expect(error.code).toBe("STORE_HISTORY_GONE");
    expect(error.message).toContain("after seq 1");
    expect(log.events).toEqual([]);
    await feed.close();
  });
});
