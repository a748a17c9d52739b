import { createMemoryStore } from "@store/kv";
import { describe, expect, it } from "vitest";
import { connectStore, serveStore } from "../src/index.js";
import { socketPath } from "./helpers.js";
import { FakeServer, RawPeer } from "./raw-peer.js";

/** Resolves once `count()` reaches `n`; `check()` is called from the listener. */
function counter(n: number, count: () => number): { done: Promise<void>; check: () => void } {
  let resolve: () => void = () => undefined;
  const done = new Promise<void>((wake) => (resolve = wake));
  return {
    done,
    check: () => {
      if (count() >= n) resolve();
    },
  };
}

// Protocol version 2 changes only the change event (values as JSON text, parsed when read); a
// server speaks both, and a client of either version gets events it understands.

async function eventThrough(versions: number[]): Promise<{ welcome: unknown; event: unknown }> {
  const path = await socketPath();
  const store = createMemoryStore();
  const server = await serveStore(store, { socketPath: path });
  const peer = await RawPeer.connect(path);
  peer.hello({ versions });
  const welcome = await peer.waitFor((message) => message.t === "welcome");
  peer.send({ t: "sub", id: 1 });
  await peer.waitFor((message) => message.t === "ok" && message.id === 1);
  await store.batch([{ type: "set", key: "x", value: 0 }]);
  await store.batch([
    { type: "set", key: "players/é", value: { name: "Zoé \"Z\"", n: [1, 2] } },
    { type: "delete", key: "x" },
  ]);
  const event = await peer.waitFor((message) => message.t === "ev" && message.seq === 2);
  peer.socket.end();
  await server.close();
  await store.close();
  return { welcome, event };
}

describe("protocol versions 1 and 2", () => {
  it("a client that offers only version 1 gets version 1 events: ops as objects with their values", async () => {
    const { welcome, event } = await eventThrough([1]);
    expect(welcome).toMatchObject({ version: 1 });
    expect(event).toEqual({ t: "ev", sub: 1, seq: 2, ops: [{ type: "set", key: "players/é", value: { name: "Zoé \"Z\"", n: [1, 2] } }, { type: "delete", key: "x" }] });
  });

  it("a client that offers 1 and 2 gets version 2 events: each value as its JSON text", async () => {
    const { welcome, event } = await eventThrough([1, 2]);
    expect(welcome).toMatchObject({ version: 2 });
    expect(event).toEqual({ t: "ev", sub: 1, seq: 2, ops: [["s", "players/é", '{"name":"Zoé \\"Z\\"","n":[1,2]}'], ["d", "x"]] });
  });

  it("connectStore's client on a version 1 server reads its events as before", async () => {
    const path = await socketPath();
    const fake = await FakeServer.listen(path);
    const client = await connectStore({ socketPath: path });
    const peer = await fake.peer(0);
    const events: unknown[] = [];
    const two = counter(2, () => events.length);
    const subscribed = client.subscribe((event) => {
      events.push(event);
      two.check();
    });
    const sub = await peer.waitFor((message) => message.t === "sub");
    peer.send({ t: "ok", id: sub.id, result: { afterSeq: 0 } });
    await subscribed;
    peer.send({ t: "ev", sub: sub.id, seq: 1, ops: [{ type: "set", key: "k", value: { a: 1 } }] });
    peer.send({ t: "ev", sub: sub.id, seq: 2, ops: [{ type: "delete", key: "k" }] });
    await two.done;
    await client.close();
    expect(events).toEqual([
      { seq: 1, ops: [{ type: "set", key: "k", value: { a: 1 } }] },
      { seq: 2, ops: [{ type: "delete", key: "k" }] },
    ]);
    await fake.close();
  });

  it("through connectStore (version 2), a listener reads each value whole, the same copy each time", async () => {
    const path = await socketPath();
    const store = createMemoryStore();
    const server = await serveStore(store, { socketPath: path });
    const client = await connectStore({ socketPath: path });
    const values: unknown[] = [];
    let same = true;
    const two = counter(2, () => values.length);
    const subscription = await client.subscribe(({ ops }) => {
      for (const op of ops) {
        if (op.type !== "set") continue;
        values.push(op.value);
        same &&= op.value === op.value;
      }
      two.check();
    });
    const { seq } = await store.batch([{ type: "set", key: "a", value: { list: [1, { deep: "é" }] } }, { type: "set", key: "b", value: null }]);
    await two.done;
    await subscription.close();
    await client.close();
    expect(values).toEqual([{ list: [1, { deep: "é" }] }, null]);
    expect(same).toBe(true);
    expect(seq).toBe(1);
    await server.close();
    await store.close();
  });
});
