import { createMemoryStore, type ChangeEvent, type ChangeOp } from "@store/kv";
import { openStore, toKeyValueStore } from "@store/log";
import { describe, expect, it } from "vitest";
import { connectStore, serveStore } from "../src/index.js";
import { runFixture } from "./child.js";
import { EventLog } from "@store/kv/conformance";
import { Changes } from "./events.js";
import { socketPath, tempDir } from "./helpers.js";

const FAST = { reconnectDelayMsMin: 1, reconnectDelayMsMax: 20 };

describe("reconnection", () => {
  it("a server restarted on the same store: every subscription resumes after its last seq, with no gap and no repeat", async () => {
    const path = await socketPath();
    const store = createMemoryStore();
    let server = await serveStore(store, { socketPath: path });
    const changes = new Changes();
    const client = await connectStore({ socketPath: path, ...FAST, onConnectionChange: changes.push });
    const written: ChangeEvent[] = [];
    const write = async (via: "client" | "store", index: number): Promise<void> => {
      const ops: ChangeOp[] = [{ type: "set", key: `k/${index % 7}`, value: { index } }, ...(index % 5 === 0 ? [{ type: "delete" as const, key: `k/${(index + 3) % 7}` }] : [])];
      const { seq } = await (via === "client" ? client : store).batch(ops);
      written.push({ seq, ops });
    };
    const fromStart = new EventLog();
    const fromNow = new EventLog();
    const subscriptions = [await client.subscribe(fromStart.listener, { afterSeq: 0 }), await client.subscribe(fromNow.listener)];
    for (let index = 0; index < 30; index += 1) await write("client", index);
    await fromNow.waitFor(written[9]!.seq);

    await server.close(); // the client is disconnected, with writes still to deliver
    await changes.waitFor("disconnected");
    for (let index = 30; index < 50; index += 1) await write("store", index); // missed while away
    server = await serveStore(store, { socketPath: path });
    await changes.waitFor("connected", 2);
    for (let index = 50; index < 60; index += 1) await write("client", index);

    const last = written.at(-1)!.seq;
    await fromStart.waitFor(last);
    await fromNow.waitFor(last);
    expect(fromStart.events).toEqual(written);
    expect(fromNow.events).toEqual(written);
    for (const subscription of subscriptions) await subscription.close();
    await client.close();
    await server.close();
    await store.close();
  });

  it("kill -9 of a @store/log server: clients reconnect to the restarted one; a subscription that saw everything resumes, one behind resumes from the log files, one behind what the files hold gets STORE_HISTORY_GONE", async () => {
    const dir = await tempDir();
    const path = await socketPath();
    let server = runFixture("serve", [dir, path]);
    await server.waitFor((line) => line.startsWith("listening"));
    const changes = new Changes();
    const client = await connectStore({ socketPath: path, ...FAST, onConnectionChange: changes.push });
    const log = new EventLog();
    const errors: string[] = [];
    let ended: () => void = () => undefined;
    const endedByError = new Promise<void>((resolve) => (ended = resolve));
    await client.subscribe(log.listener, {
      onError: (error) => {
        errors.push(error.code);
        ended();
      },
    });
    let seq = 0;
    for (let index = 0; index < 5; index += 1) ({ seq } = await client.batch([{ type: "set", key: "k", value: index }]));
    await log.waitFor(seq);

    // 1. Killed with nothing undelivered: the restarted log keeps no history, but none is needed.
    server.process.kill("SIGKILL");
    await server.exited;
    await changes.waitFor("disconnected");
    server = runFixture("serve", [dir, path]); // the dead server's socket file is still there: replaced
    await server.waitFor((line) => line.startsWith("listening"));
    await changes.waitFor("connected", 2);
    const after = await client.batch([{ type: "set", key: "k", value: "after" }]);
    await log.waitFor(after.seq);
    expect(log.seqs()).toEqual([1, 2, 3, 4, 5, after.seq]);
    expect(errors).toEqual([]);

    // 2. Killed, then the folder written while no server runs: the subscription is behind; the
    // restarted log's history starts at its open, and the write is replayed from its segment.
    server.process.kill("SIGKILL");
    await server.exited;
    await changes.waitFor("disconnected", 2);
    const missed = await openStore(dir);
    const written = await toKeyValueStore(missed).batch([{ type: "set", key: "missed", value: true }]);
    await missed.close();
    server = runFixture("serve", [dir, path]);
    await server.waitFor((line) => line.startsWith("listening"));
    await changes.waitFor("connected", 3);
    await log.waitFor(written.seq);
    expect(log.seqs()).toEqual([1, 2, 3, 4, 5, after.seq, written.seq]);
    expect(errors).toEqual([]);

    // 3. The same, but the write compacted away with no backup kept: neither the history nor the
    // files hold it, and the subscription ends with STORE_HISTORY_GONE.
    server.process.kill("SIGKILL");
    await server.exited;
    await changes.waitFor("disconnected", 3);
    const direct = await openStore(dir, { backupsMax: 0 });
    const offline = await toKeyValueStore(direct).batch([{ type: "set", key: "offline", value: true }]);
    await direct.compact();
    await direct.close();
    server = runFixture("serve", [dir, path]);
    await server.waitFor((line) => line.startsWith("listening"));
    await changes.waitFor("connected", 4);
    await endedByError;
    expect(errors).toEqual(["STORE_HISTORY_GONE"]);
    expect(await client.get("offline")).toEqual({ key: "offline", value: true, version: offline.seq });
    const fresh = new EventLog();
    const subscription = await client.subscribe(fresh.listener, { afterSeq: offline.seq });
    const next = await client.batch([{ type: "delete", key: "offline" }]);
    await fresh.waitFor(next.seq);
    expect(fresh.seqs()).toEqual([next.seq]);
    await subscription.close();
    await client.close();
    server.tell("stop");
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});
