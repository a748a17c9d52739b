import { openStore, toKeyValueStore } from "@store/log";
import { createMemoryStore, type ChangeEvent } from "@store/kv";
import { describe, expect, it } from "vitest";
import { FRAME_BYTES_MAX_DEFAULT } from "../src/limits.js";
import { connectStore, serveStore } from "../src/index.js";
import { Changes } from "./events.js";
import { socketPath, tempDir } from "./helpers.js";
import { FakeServer, RawPeer, requests } from "./raw-peer.js";

// Protocol version 3: a subscription's prefixes go to the server, which sends only the matching ops
// (and no event without one); a caughtUp request is answered after the subscription's events up
// to the store's seq. A version 3 client on an older server filters by itself and reads stats().

describe("protocol version 3: prefixes and caughtUp on the wire", () => {
  it("the server sends only the ops under the prefixes, no frame for an event without one, and answers caughtUp after the events", async () => {
    const path = await socketPath();
    const kv = toKeyValueStore(await openStore(await tempDir()));
    const server = await serveStore(kv, { socketPath: path });
    const peer = await RawPeer.connect(path);
    peer.hello({ versions: [1, 2, 3] });
    expect(await peer.waitFor((message) => message.t === "welcome")).toMatchObject({ version: 3 });
    peer.send({ t: "sub", id: 1, prefixes: ["players/", "games/"] });
    await peer.waitFor((message) => message.t === "ok" && message.id === 1);
    await kv.batch([{ type: "set", key: "tokens/1", value: 1 }]);
    const { seq } = await kv.batch([
      { type: "set", key: "tokens/2", value: 2 },
      { type: "set", key: "players/1", value: { n: 1 } },
      { type: "delete", key: "games/9" },
    ]);
    // Many writes none of which match, then caughtUp: nothing is sent for them, and the answer says how far.
    let last = seq;
    for (let index = 0; index < 50; index += 1) ({ seq: last } = await kv.batch([{ type: "set", key: `idem/${index}`, value: index }]));
    peer.send({ t: "caughtUp", id: 2, sub: 1 });
    const answer = await peer.waitFor((message) => message.t === "ok" && message.id === 2);
    expect(answer).toEqual({ t: "ok", id: 2, result: { seq: last } });
    const events = peer.received.filter((message) => message.t === "ev");
    expect(events).toEqual([{ t: "ev", sub: 1, seq, ops: [["s", "players/1", '{"n":1}'], ["d", "games/9"]] }]);
    expect(peer.received.indexOf(events[0]!)).toBeLessThan(peer.received.indexOf(answer));
    // A subscription that is not open there is answered STORE_CLOSED.
    peer.send({ t: "caughtUp", id: 3, sub: 77 });
    expect(await peer.waitFor((message) => message.id === 3)).toMatchObject({ t: "err", error: { code: "STORE_CLOSED" } });
    // Bad prefixes get the store's own error, and the connection goes on.
    peer.send({ t: "sub", id: 4, prefixes: [] });
    expect(await peer.waitFor((message) => message.id === 4)).toMatchObject({ t: "err", error: { name: "TypeError" } });
    peer.socket.end();
    await server.close();
    await kv.close();
  });

  it("caughtUp's answer comes after every event of the writes acknowledged before it, through connectStore", async () => {
    const path = await socketPath();
    const store = createMemoryStore();
    const server = await serveStore(store, { socketPath: path });
    const writer = await connectStore({ socketPath: path, name: "writer" });
    const reader = await connectStore({ socketPath: path, name: "reader" });
    const events: ChangeEvent[] = [];
    const subscription = await reader.subscribe((event) => events.push(event), { prefixes: ["a/"] });
    const results = await Promise.all(Array.from({ length: 200 }, (_, index) => writer.batch([{ type: "set", key: `${index % 3 === 0 ? "a" : "b"}/${index}`, value: index }])));
    const caughtUp = await subscription.caughtUp();
    expect(caughtUp).toBeGreaterThanOrEqual(Math.max(...results.map(({ seq }) => seq)));
    expect(events.map((event) => event.seq)).toEqual(results.filter((_, index) => index % 3 === 0).map(({ seq }) => seq).sort((a, b) => a - b));
    expect(events.every((event) => event.ops.every((op) => op.key.startsWith("a/")))).toBe(true);
    await subscription.close();
    await writer.close();
    await reader.close();
    await server.close();
    await store.close();
  });

  it("after caughtUp, a filtered subscription resumes from the seq it caught up to, not from its last matching change (which the server's history may no longer reach)", async () => {
    const path = await socketPath();
    const store = createMemoryStore({ changeHistoryMax: 5 });
    let server = await serveStore(store, { socketPath: path });
    const changes = new Changes();
    const client = await connectStore({ socketPath: path, reconnectDelayMsMin: 1, reconnectDelayMsMax: 20, onConnectionChange: changes.push });
    let outcome: ((what: string) => void) | undefined;
    const settled = new Promise<string>((resolve) => (outcome = resolve));
    const keys: string[] = [];
    const subscription = await client.subscribe(
      (event) => {
        keys.push(...event.ops.map((op) => op.key));
        if (keys.includes("rare/b")) outcome?.("delivered");
      },
      { prefixes: ["rare/"], onError: (error) => outcome?.(error.code) },
    );
    await store.batch([{ type: "set", key: "rare/a", value: 1 }]);
    for (let index = 0; index < 20; index += 1) await store.batch([{ type: "set", key: `busy/${index}`, value: index }]);
    expect(await subscription.caughtUp()).toBe((await store.stats()).seq);

    await server.close();
    await changes.waitFor("disconnected");
    server = await serveStore(store, { socketPath: path });
    await changes.waitFor("connected", 2);
    await store.batch([{ type: "set", key: "rare/b", value: 2 }]);
    expect(await settled).toBe("delivered");
    expect(keys).toEqual(["rare/a", "rare/b"]);
    await subscription.close();
    await client.close();
    await server.close();
  });

  it("a version 3 client on a version 2 server sends no prefixes, filters the events itself, and answers caughtUp() from stats()", async () => {
    const path = await socketPath();
    const fake = await FakeServer.listen(path, (peer) => {
      peer.send({ t: "welcome", version: 2, frameBytesMax: FRAME_BYTES_MAX_DEFAULT, serverId: "old" });
    });
    const client = await connectStore({ socketPath: path });
    const peer = await fake.peer(0);
    const events: ChangeEvent[] = [];
    const subscribed = client.subscribe((event) => events.push(event), { prefixes: ["players/"] });
    const sub = await peer.waitFor((message) => message.t === "sub");
    expect(sub).not.toHaveProperty("prefixes");
    peer.send({ t: "ok", id: sub.id, result: { afterSeq: 0 } });
    const subscription = await subscribed;
    peer.send({ t: "ev", sub: sub.id, seq: 1, ops: [["s", "tokens/1", "1"]] });
    peer.send({ t: "ev", sub: sub.id, seq: 2, ops: [["s", "tokens/2", "2"], ["s", "players/1", '{"n":1}']] });
    const caughtUp = subscription.caughtUp();
    const stats = await peer.waitFor((message) => message.t === "stats");
    expect(requests(peer).some((message) => message.t === "caughtUp")).toBe(false);
    peer.send({ t: "ok", id: stats.id, result: { seq: 3, keys: 3 } });
    peer.send({ t: "ev", sub: sub.id, seq: 3, ops: [["d", "tokens/1"]] });
    expect(await caughtUp).toBe(3);
    expect(events).toEqual([{ seq: 2, ops: [{ type: "set", key: "players/1", value: { n: 1 } }] }]);
    await client.close();
    await fake.close();
  });
});
