import { describe, expect, it } from "vitest";
import { connectStore, type ConnectionChange } from "../src/index.js";
import { socketPath } from "./helpers.js";
import { Changes } from "./events.js";
import { FakeServer, requests, type RawPeer } from "./raw-peer.js";

// A scripted server decides exactly which requests reached it before the connection is lost, so
// the outcome of each in-flight call is known, whatever the timing.

async function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "resolved",
    (error: unknown) => {
      const { code, name } = error as { code?: string; name: string };
      return code ?? name;
    },
  );
}

/** Waits until the peer has received `count` requests. */
async function received(peer: RawPeer, count: number): Promise<void> {
  await peer.waitForCount((message) => message.t !== "hello", count);
}

describe("a connection lost with requests in flight", () => {
  it("reads reject STORE_UNAVAILABLE, sent writes STORE_UNKNOWN_OUTCOME, writes never sent STORE_UNAVAILABLE", async () => {
    const path = await socketPath();
    const fake = await FakeServer.listen(path);
    const client = await connectStore({ socketPath: path, requestsInFlightMax: 4, reconnectAttemptsMax: 0 });
    const peer = await fake.peer(0);
    const sent = [
      client.batch([{ type: "set", key: "a", value: 1 }]),
      client.get("a"),
      client.batch([{ type: "set", key: "b", value: 1 }]),
      client.scan({ prefix: "" }),
    ];
    // Over requestsInFlightMax: these wait in the client and are never sent.
    const queued = [client.batch([{ type: "set", key: "c", value: 1 }]), client.getMany(["a"]), client.batch([{ type: "delete", key: "a" }])];
    await received(peer, 4);
    expect(requests(peer).map((message) => message.t)).toEqual(["batch", "get", "batch", "scan"]);
    peer.socket.destroy();
    expect(await Promise.all(sent.map(outcome))).toEqual(["STORE_UNKNOWN_OUTCOME", "STORE_UNAVAILABLE", "STORE_UNKNOWN_OUTCOME", "STORE_UNAVAILABLE"]);
    expect(await Promise.all(queued.map(outcome))).toEqual(["STORE_UNAVAILABLE", "STORE_UNAVAILABLE", "STORE_UNAVAILABLE"]);
    await expect(sent[0]).rejects.toThrow(/may or may not have been applied.*same idempotency key/u);
    await expect(queued[0]).rejects.toThrow(/never reached it, so nothing was written/u);
    await client.close();
    await fake.close();
  });

  it("a bye naming the last request read makes the writes after it STORE_UNAVAILABLE: the server never read them", async () => {
    const path = await socketPath();
    const fake = await FakeServer.listen(path);
    const client = await connectStore({ socketPath: path, reconnectAttemptsMax: 0 });
    const peer = await fake.peer(0);
    const writes = [1, 2, 3].map((value) => client.batch([{ type: "set", key: "k", value }]));
    await received(peer, 3);
    const ids = requests(peer).map((message) => message.id as number);
    peer.send({ t: "ok", id: ids[0], result: { seq: 1 } });
    peer.send({ t: "bye", code: "STORE_UNAVAILABLE", message: "closing", lastId: ids[1] });
    peer.socket.end();
    expect(await Promise.all(writes.map(outcome))).toEqual(["resolved", "STORE_UNKNOWN_OUTCOME", "STORE_UNAVAILABLE"]);
    await client.close();
    await fake.close();
  });

  it("while disconnected, calls fail at once with STORE_UNAVAILABLE; whenConnected() waits for the reconnection, and calls work again", async () => {
    const path = await socketPath();
    let fake = await FakeServer.listen(path);
    const changes: ConnectionChange[] = [];
    const watch = new Changes();
    const client = await connectStore({
      socketPath: path,
      reconnectDelayMsMin: 1,
      reconnectDelayMsMax: 20,
      onConnectionChange: (change) => {
        changes.push(change);
        watch.push(change);
      },
    });
    await fake.close(); // stops listening and drops the connection: reconnection attempts now fail
    await watch.waitFor("disconnected");
    expect(client.state).toBe("reconnecting");
    await expect(client.get("k")).rejects.toMatchObject({ code: "STORE_UNAVAILABLE", message: expect.stringMatching(/Not connected.*Nothing was sent/u) as unknown });
    expect(await outcome(client.batch([{ type: "set", key: "k", value: 1 }]))).toBe("STORE_UNAVAILABLE");

    const connected = client.whenConnected();
    fake = await FakeServer.listen(path, (peer) => {
      peer.send({ t: "welcome", version: 1, frameBytesMax: 16 * 1024 * 1024, serverId: "second" });
    });
    await connected;
    expect(client.state).toBe("connected");
    const read = client.get("k");
    const peer = await fake.peer(0);
    const [request] = await peer.waitForCount((message) => message.t === "get", 1);
    peer.send({ t: "ok", id: request!.id, result: ["k", 7, "value"] });
    expect(await read).toEqual({ key: "k", value: "value", version: 7 });
    expect(changes.map((change) => change.state)).toEqual(["connected", "disconnected", "connected"]);
    await client.close();
    await fake.close();
  });

  it("after reconnectAttemptsMax failed attempts the client gives up: subscriptions get onError STORE_UNAVAILABLE, calls reject", async () => {
    const path = await socketPath();
    const fake = await FakeServer.listen(path);
    const watch = new Changes();
    const client = await connectStore({ socketPath: path, reconnectAttemptsMax: 2, reconnectDelayMsMin: 1, reconnectDelayMsMax: 2, onConnectionChange: watch.push });
    const subscribing = client.subscribe(() => undefined, { onError: (error) => ended.push(error.code) });
    const ended: string[] = [];
    const peer = await fake.peer(0);
    const [sub] = await peer.waitForCount((message) => message.t === "sub", 1);
    peer.send({ t: "ok", id: sub!.id, result: { afterSeq: 0 } });
    await subscribing;
    await fake.close();
    await watch.waitFor("failed");
    await expect(client.whenConnected()).rejects.toMatchObject({ code: "STORE_UNAVAILABLE", message: expect.stringMatching(/Gave up .* after 2 reconnection attempts/u) as unknown });
    expect(client.state).toBe("failed");
    expect(ended).toEqual(["STORE_UNAVAILABLE"]);
    expect(await outcome(client.stats())).toBe("STORE_UNAVAILABLE");
    await client.close();
  });

  it("a server that speaks no common version: connectStore rejects STORE_PROTOCOL with the server's reason", async () => {
    const path = await socketPath();
    const fake = await FakeServer.listen(path, (peer) => {
      peer.send({ t: "refuse", code: "STORE_PROTOCOL", message: "Protocol version mismatch: the server speaks version 7." });
      peer.socket.end();
    });
    await expect(connectStore({ socketPath: path })).rejects.toMatchObject({ code: "STORE_PROTOCOL", message: expect.stringMatching(/refused the connection: Protocol version mismatch/u) as unknown });
    await fake.close();
    const future = await FakeServer.listen(path, (peer) => {
      peer.send({ t: "welcome", version: 7, frameBytesMax: 16 * 1024 * 1024, serverId: "future" });
    });
    await expect(connectStore({ socketPath: path })).rejects.toMatchObject({ code: "STORE_PROTOCOL", message: expect.stringMatching(/chose protocol version 7/u) as unknown });
    await future.close();
  });

  it("no server: connectStore rejects STORE_UNAVAILABLE naming the path", async () => {
    const path = await socketPath();
    await expect(connectStore({ socketPath: path })).rejects.toMatchObject({ code: "STORE_UNAVAILABLE", message: expect.stringContaining(path) as unknown });
  });
});
