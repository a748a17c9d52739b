import { createMemoryStore, type KeyValueStore } from "@store/kv";
import type { StoreError } from "@store/fs";
import { afterEach, describe, expect, it } from "vitest";
import { connectStore, FRAME_BYTES_MIN, serveStore, type ClientInfo, type RemoteServer, type RemoteStore, type ServeOptions } from "../src/index.js";
import { socketPath } from "./helpers.js";
import { RawPeer } from "./raw-peer.js";

// Each misbehaving peer gets a clear error or is disconnected, and a well-behaved client on the same
// server goes on being served.

interface Setup {
  path: string;
  store: KeyValueStore;
  server: RemoteServer;
  good: RemoteStore;
  reported: Array<{ error: StoreError<string>; client: ClientInfo }>;
  waitForReport: (code: string) => Promise<StoreError<string>>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<ServeOptions> = {}): Promise<Setup> {
  const path = await socketPath();
  const store = createMemoryStore();
  const reported: Setup["reported"] = [];
  let wake: (() => void) | undefined;
  const server = await serveStore(store, {
    socketPath: path,
    ...options,
    onClientError: (error, client) => {
      reported.push({ error, client });
      wake?.();
    },
  });
  const good = await connectStore({ socketPath: path, name: "good" });
  cleanups.push(async () => {
    await good.close();
    await server.close();
    await store.close();
  });
  return {
    path,
    store,
    server,
    good,
    reported,
    waitForReport: async (code) => {
      for (;;) {
        const found = reported.find((report) => report.error.code === code);
        if (found !== undefined) return found.error;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

/** The well-behaved client still reads and writes. */
async function expectServed(good: RemoteStore): Promise<void> {
  const { seq } = await good.batch([{ type: "set", key: "still", value: "served" }]);
  expect(await good.get("still")).toEqual({ key: "still", value: "served", version: seq });
}

describe("misbehaving peers", () => {
  it("a frame that is not JSON: the peer gets a STORE_PROTOCOL bye and is disconnected", async () => {
    const { path, good, waitForReport } = await setup();
    const peer = await RawPeer.connect(path);
    peer.hello();
    await peer.waitFor((message) => message.t === "welcome");
    peer.sendBytes(Buffer.concat([Buffer.from([0, 0, 0, 8]), Buffer.from("not json")]));
    const bye = await peer.waitFor((message) => message.t === "bye");
    expect(bye).toMatchObject({ code: "STORE_PROTOCOL", message: expect.stringMatching(/is not JSON/u) as unknown });
    await peer.closed;
    expect((await waitForReport("STORE_PROTOCOL")).message).toMatch(/Client connection \d+.*disconnected.*not JSON/u);
    await expectServed(good);
  });

  it("well-formed JSON that is not a request (unknown type, no id, ids going back): disconnected with the reason", async () => {
    const { path, good } = await setup();
    const cases: Array<[unknown[], RegExp]> = [
      [[{ t: "drop", id: 1 }], /Unknown request type "drop"/u],
      [[{ t: "get", key: "k" }], /needs an id/u],
      [[[1, 2, 3]], /an array, not a message object/u],
      [
        [
          { t: "stats", id: 5 },
          { t: "stats", id: 5 },
        ],
        /ids must increase.*5 came after 5/u,
      ],
    ];
    for (const [messages, reason] of cases) {
      const peer = await RawPeer.connect(path);
      peer.hello();
      for (const message of messages) peer.send(message);
      expect(await peer.waitFor((message) => message.t === "bye")).toMatchObject({ code: "STORE_PROTOCOL", message: expect.stringMatching(reason) as unknown });
      await peer.closed;
    }
    await expectServed(good);
  });

  it("bad arguments in a well-formed request are the store's TypeError, answered; the connection stays", async () => {
    const { path, good } = await setup();
    const peer = await RawPeer.connect(path);
    peer.hello();
    peer.send({ t: "batch", id: 1, ops: [{ type: "set", key: 42, value: 1 }] });
    peer.send({ t: "get", id: 2, key: "" });
    peer.send({ t: "stats", id: 3 });
    const [typeError, invalidKey, stats] = await Promise.all([1, 2, 3].map((id) => peer.waitFor((message) => message.id === id)));
    expect(typeError).toMatchObject({ t: "err", error: { name: "TypeError" } });
    expect(invalidKey).toMatchObject({ t: "err", error: { code: "STORE_INVALID_KEY" } });
    expect(stats).toMatchObject({ t: "ok", result: { seq: 0, keys: 0 } });
    peer.socket.destroy();
    await expectServed(good);
  });

  it("an oversized length prefix is refused at once, before a byte of the frame is read or allocated", async () => {
    const { path, good, waitForReport } = await setup();
    const peer = await RawPeer.connect(path);
    peer.hello();
    await peer.waitFor((message) => message.t === "welcome");
    // 4 GiB announced, nothing sent after it: the answer can only come from the header.
    peer.sendBytes(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    const bye = await peer.waitFor((message) => message.t === "bye");
    expect(bye).toMatchObject({ code: "STORE_PROTOCOL", message: expect.stringMatching(/announces 4294967295 bytes, over frameBytesMax \(16777216 bytes\)/u) as unknown });
    await peer.closed;
    await waitForReport("STORE_PROTOCOL");
    await expectServed(good);
  });

  it("wrong handshakes: not a hello, another protocol, no common version, an HTTP request", async () => {
    const { path, good } = await setup();
    const refusals: Array<[(peer: RawPeer) => void, RegExp]> = [
      [(peer) => { peer.send({ t: "get", id: 1, key: "k" }); }, /first frame must be a store-remote hello/u],
      [(peer) => { peer.hello({ protocol: "redis" }); }, /speaks store-remote, not "redis"/u],
      [(peer) => { peer.hello({ versions: [4, 5] }); }, /Protocol version mismatch: .* speaks store-remote version 1, 2, 3, the client offered version 4, 5/u],
      [(peer) => { peer.hello({ frameBytesMax: 1024 }); }, /frameBytesMax \(1024 bytes\) is under/u],
      [(peer) => { peer.sendBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"); }, /its first bytes read "GET ".*store-remote protocol/u],
    ];
    for (const [send, reason] of refusals) {
      const peer = await RawPeer.connect(path);
      send(peer);
      expect(await peer.waitFor((message) => message.t === "refuse")).toMatchObject({ code: "STORE_PROTOCOL", message: expect.stringMatching(reason) as unknown });
      await peer.closed;
    }
    await expectServed(good);
  });

  it("a peer that never says hello is refused after handshakeTimeoutMs", async () => {
    const { path, good } = await setup({ handshakeTimeoutMs: 20 });
    const peer = await RawPeer.connect(path);
    expect(await peer.waitFor((message) => message.t === "refuse")).toMatchObject({ code: "STORE_PROTOCOL", message: expect.stringMatching(/No hello within handshakeTimeoutMs \(20 ms\)/u) as unknown });
    await peer.closed;
    await expectServed(good);
  });

  it("a client that dies in the middle of a batch frame writes nothing: a frame counts only whole", async () => {
    const { path, good } = await setup();
    const before = await good.stats();
    const peer = await RawPeer.connect(path);
    peer.hello();
    await peer.waitFor((message) => message.t === "welcome");
    const frame = Buffer.from(JSON.stringify({ t: "batch", id: 1, ops: [{ type: "set", key: "half", value: "x".repeat(100_000) }] }));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(frame.length);
    peer.sendBytes(Buffer.concat([header, frame.subarray(0, frame.length - 1)]));
    peer.socket.destroy();
    await peer.closed;
    await expectServed(good);
    expect(await good.get("half")).toBeUndefined();
    expect((await good.stats()).seq).toBe(before.seq + 1);
  });

  it("a client that never reads is disconnected once its unread frames pass clientBufferBytesMax (STORE_SLOW_CONSUMER)", async () => {
    const { path, good, server, waitForReport } = await setup({ clientBufferBytesMax: FRAME_BYTES_MIN });
    const peer = await RawPeer.connect(path);
    peer.hello({ clientId: "never-reads" });
    peer.send({ t: "sub", id: 1 });
    await peer.waitFor((message) => message.t === "ok" && message.id === 1);
    peer.socket.pause(); // from here on it reads nothing: the kernel's buffers fill, then the server's
    const value = "v".repeat(256 * 1024);
    let writes = 0;
    const slow = waitForReport("STORE_SLOW_CONSUMER");
    let cut = false;
    void slow.then(() => (cut = true));
    while (!cut) {
      await good.batch([{ type: "set", key: `big/${writes % 8}`, value }]);
      writes += 1;
    }
    const error = await slow;
    expect(error.message).toMatch(/^Client connection \d+ was disconnected/u);
    expect(error.message).toMatch(/would pass clientBufferBytesMax \(9437184 bytes\)/u);
    // Bounded: what it was sent is at most clientBufferBytesMax plus the kernel's socket buffers.
    expect(writes * value.length).toBeLessThan(FRAME_BYTES_MIN + 64 * value.length);
    expect(server.stats().disconnects).toMatchObject({ STORE_SLOW_CONSUMER: 1 });
    expect(server.stats().connections).toBe(1);
    await expectServed(good);
    peer.socket.destroy();
  });

  it("over connectionsMax a client is refused with STORE_UNAVAILABLE saying so", async () => {
    const { path, good } = await setup({ connectionsMax: 1 });
    await expect(connectStore({ socketPath: path })).rejects.toMatchObject({ code: "STORE_UNAVAILABLE", message: expect.stringMatching(/connectionsMax \(1\)/u) as unknown });
    await expectServed(good);
  });
});
