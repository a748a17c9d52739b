import { ManualClock } from "@store/testkit";
import { createMemoryStore, update, type KeyValueStore, type WriteOp } from "@store/kv";
import { describe, expect, it } from "vitest";
import { FRAME_BYTES_MAX_DEFAULT } from "../src/limits.js";
import { connectStore, serveStore, type RemoteServer, type ServeOptions } from "../src/index.js";
import { runFixture } from "./child.js";
import { socketPath } from "./helpers.js";
import { FakeServer, RawPeer } from "./raw-peer.js";

/** A memory store served as it is, except that it counts the batches refused with STORE_CONFLICT and can hold batches back. */
function servedStore(): { kv: KeyValueStore; conflicts: () => number; holdBatches: () => () => void } {
  const inner = createMemoryStore();
  let conflicts = 0;
  let gate: Promise<void> | undefined;
  const kv: KeyValueStore = {
    get: (key) => inner.get(key),
    getMany: (keys) => inner.getMany(keys),
    scan: (options) => inner.scan(options),
    batch: async (ops: readonly WriteOp[]) => {
      if (gate !== undefined) await gate;
      try {
        return await inner.batch(ops);
      } catch (error) {
        if ((error as { code?: unknown }).code === "STORE_CONFLICT") conflicts += 1;
        throw error;
      }
    },
    subscribe: (listener, options) => inner.subscribe(listener, options),
    stats: () => inner.stats(),
    close: () => inner.close(),
  };
  return {
    kv,
    conflicts: () => conflicts,
    holdBatches: () => {
      let open: () => void = () => undefined;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

async function serve(options: Partial<ServeOptions> = {}) {
  const path = await socketPath();
  const store = servedStore();
  const server = await serveStore(store.kv, { socketPath: path, ...options });
  return { path, server, ...store };
}

/** Turns held or waited for on the server, over all its clients. */
function turns(server: RemoteServer): number {
  return server.stats().clients.reduce((sum, client) => sum + client.turns, 0);
}

/** Resolves once `condition` holds, checked at every turn of the event loop (no time involved). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const add = (keys: readonly string[]) => (entries: ReadonlyMap<string, { value: unknown } | undefined>) => ({
  ops: keys.map((key) => ({ type: "set" as const, key, value: ((entries.get(key)?.value as number | undefined) ?? 0) + 1 })),
  result: undefined,
});

describe("turns on keys across processes", () => {
  for (const turnsOn of [true, false]) {
    it(`shard processes updating the same keys ${turnsOn ? "never conflict with turns" : "conflict without turns (the server gives none)"}`, async () => {
      const { path, server, kv, conflicts } = await serve({ turns: turnsOn });
      const keys = ["acct/a", "acct/b"];
      const shards = Array.from({ length: 3 }, () => runFixture("turns", ["update", path, "6", "25", ...keys]));
      for (const shard of shards) await shard.waitFor((line) => line === "done");
      for (const key of keys) expect((await kv.get(key))?.value).toBe(3 * 6 * 25);
      if (turnsOn) expect(conflicts()).toBe(0);
      else expect(conflicts()).toBeGreaterThan(0);
      await server.close();
    });
  }

  it("two connections: the second waits for the first's turn and reads its write, no conflict", async () => {
    const { path, server, conflicts } = await serve({ clock: new ManualClock(0) });
    const [one, two] = await Promise.all([connectStore({ socketPath: path }), connectStore({ socketPath: path })]);
    let secondAsked = false;
    const first = update(one, ["k"], async (entries) => {
      // Let the second update ask for its read before this one writes: without turns it would read
      // the old version, write first and make this one conflict.
      secondAsked = true;
      await until(() => turns(server) === 2);
      return add(["k"])(entries);
    });
    await until(() => secondAsked);
    const second = update(two, ["k"], add(["k"]));
    await Promise.all([first, second]);
    expect((await one.get("k"))?.value).toBe(2);
    expect(conflicts()).toBe(0);
    expect(turns(server)).toBe(0);
    await Promise.all([one.close(), two.close()]);
    await server.close();
  });

  it("an update whose batch the client refuses before sending it (a bad value) gives its turn back at once, not after turnMsMax", async () => {
    // The clock never moves: only the client's release can end the turn.
    const { path, server } = await serve({ clock: new ManualClock(0) });
    const [one, two] = await Promise.all([connectStore({ socketPath: path }), connectStore({ socketPath: path })]);
    const bad = update(one, ["k"], () => ({ ops: [{ type: "set", key: "k", value: undefined as unknown as number }], result: undefined }));
    await expect(bad).rejects.toMatchObject({ code: "STORE_INVALID_VALUE" });
    await until(() => turns(server) === 0);
    await update(two, ["k"], add(["k"]));
    expect((await two.get("k"))?.value).toBe(1);
    await Promise.all([one.close(), two.close()]);
    await server.close();
  });

  it("a batch gives its turn back once in flight, before its commit; the next holder reads that batch's write", async () => {
    const { path, server, holdBatches } = await serve({ clock: new ManualClock(0) }); // no turn expires here
    const [one, two] = await Promise.all([connectStore({ socketPath: path }), connectStore({ socketPath: path })]);
    const held = await one.readInTurn(["k"]);
    const waiting = two.readInTurn(["k"]);
    await until(() => turns(server) === 2);
    const openBatches = holdBatches();
    const written = held.batch([{ type: "set", key: "k", value: "first", ifVersion: null }]);
    // The turn passes to the second while the batch has not committed.
    await until(() => turns(server) === 1);
    let read = false;
    void waiting.then(() => (read = true));
    openBatches();
    const { seq } = await written;
    const next = await waiting;
    expect(read).toBe(true);
    expect(next.entries).toEqual([{ key: "k", value: "first", version: seq }]);
    next.release();
    await until(() => turns(server) === 0);
    await Promise.all([one.close(), two.close()]);
    await server.close();
  });

  it("a client killed with SIGKILL while it holds a turn gives it back: the others proceed", async () => {
    const clock = new ManualClock(0); // never advanced: only the lost connection can end the turn
    const { path, server } = await serve({ clock });
    const holder = runFixture("turns", ["hold", path, "k"]);
    await holder.waitFor((line) => line === "held");
    const client = await connectStore({ socketPath: path });
    const waiting = client.readInTurn(["k"]);
    await until(() => turns(server) === 2);
    holder.process.kill("SIGKILL");
    const turn = await waiting;
    expect(turn.entries).toEqual([undefined]);
    turn.release();
    await client.close();
    await server.close();
  });

  it("a holder that never writes is overtaken after turnMsMax; its late batch still runs, and the preconditions decide", async () => {
    const clock = new ManualClock(0);
    const { path, server, kv } = await serve({ clock, turnMsMax: 1_000 });
    const [one, two] = await Promise.all([connectStore({ socketPath: path }), connectStore({ socketPath: path })]);
    const stuck = await one.readInTurn(["k"]);
    const waiting = two.readInTurn(["k"]);
    await until(() => turns(server) === 2);
    await clock.advance(999);
    expect(turns(server)).toBe(2);
    await clock.advance(1);
    const next = await waiting;
    const { seq } = await stuck.batch([{ type: "set", key: "k", value: "late", ifVersion: null }]);
    expect((await kv.get("k"))?.version).toBe(seq);
    await expect(next.batch([{ type: "set", key: "k", value: "overtaker", ifVersion: null }])).rejects.toMatchObject({ code: "STORE_CONFLICT" });
    expect(turns(server)).toBe(0);
    await Promise.all([one.close(), two.close()]);
    await server.close();
  });

  it("turns of one connection never wait for each other (keys both only read aside): a nested update with queue: false finishes", async () => {
    const { path, server } = await serve({ clock: new ManualClock(0) });
    const client = await connectStore({ socketPath: path });
    const held = await client.readInTurn(["k"]);
    const again = await client.readInTurn(["k", "j"]); // overlaps a turn of this connection: read without one
    expect(turns(server)).toBe(1);
    again.release();
    held.release();
    // Keys both only read do not count: concurrent operations that all read one flag each get a turn.
    const flagged = [await client.readInTurn(["x", "flag"], { sharedKeys: ["flag"] }), await client.readInTurn(["y", "flag"], { sharedKeys: ["flag"] })];
    expect(turns(server)).toBe(2);
    for (const turn of flagged) turn.release();
    await until(() => turns(server) === 0);
    await update(client, ["k"], async (entries) => {
      await update(client, ["k"], add(["k"]), { queue: false });
      return add(["k"])(entries);
    }).catch(() => undefined); // the outer update conflicts with the inner one at most: what matters is that both end
    expect(turns(server)).toBe(0);
    await client.close();
    await server.close();
  });

  it("a connection holds at most turnsMax turns: the client reads without one past it, and a raw peer is refused STORE_TOO_LARGE", async () => {
    const { path, server } = await serve({ turnsMax: 2, clock: new ManualClock(0) });
    const client = await connectStore({ socketPath: path });
    const held = [await client.readInTurn(["a"]), await client.readInTurn(["b"]), await client.readInTurn(["c"])];
    expect(turns(server)).toBe(2);
    for (const turn of held) turn.release();
    await until(() => turns(server) === 0);
    await client.close();

    const peer = await RawPeer.connect(path);
    peer.hello({ versions: [3] });
    const welcome = await peer.waitFor((message) => message.t === "welcome");
    expect(welcome).toMatchObject({ version: 3, turnsMax: 2 });
    for (const [id, key] of [[1, "a"], [2, "b"], [3, "c"]] as const) peer.send({ t: "getMany", id, keys: [key], turn: {} });
    const third = await peer.waitFor((message) => message.id === 3);
    expect(third).toMatchObject({ t: "err", error: { code: "STORE_TOO_LARGE" } });
    expect(await peer.waitFor((message) => message.id === 1)).toMatchObject({ t: "ok", turn: 1 });
    peer.send({ t: "release", id: 4, turn: 1 });
    peer.send({ t: "batch", id: 5, ops: [{ type: "set", key: "b", value: 1 }], turn: 2 });
    await peer.waitFor((message) => message.id === 5);
    expect(turns(server)).toBe(0);
    peer.socket.end();
    await server.close();
  });

  it("against a version 2 server (or turns: false) readInTurn is a plain getMany whose turn holds nothing", async () => {
    const { path, server } = await serve({ turns: false });
    const client = await connectStore({ socketPath: path });
    const turn = await client.readInTurn(["k"], { sharedKeys: ["k"] });
    expect(turn.entries).toEqual([undefined]);
    await turn.batch([{ type: "set", key: "k", value: 1, ifVersion: null }]);
    turn.release();
    await client.close();
    await server.close();

    const oldPath = await socketPath();
    const fake = await FakeServer.listen(oldPath, (peer) => {
      peer.send({ t: "welcome", version: 2, frameBytesMax: FRAME_BYTES_MAX_DEFAULT, serverId: "fake-v2" });
    });
    const old = await connectStore({ socketPath: oldPath });
    const reading = old.readInTurn(["k"]);
    const peer = await fake.peer(0);
    const request = await peer.waitFor((message) => message.t === "getMany");
    expect(request).toEqual({ t: "getMany", id: request.id, keys: ["k"] });
    peer.send({ t: "ok", id: request.id, result: [null] });
    const oldTurn = await reading;
    const batched = oldTurn.batch([{ type: "set", key: "k", value: 1, ifVersion: null }]);
    const batch = await peer.waitFor((message) => message.t === "batch");
    expect(batch).toEqual({ t: "batch", id: batch.id, ops: [{ type: "set", key: "k", value: 1, ifVersion: null }] });
    peer.send({ t: "ok", id: batch.id, result: { seq: 1 } });
    await batched;
    await old.close();
    await fake.close();
  });
});
