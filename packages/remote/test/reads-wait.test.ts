import { createMemoryStore, type KeyValueStore, type WriteResult } from "@store/kv";
import { describe, expect, it } from "vitest";
import { connectStore, serveStore } from "../src/index.js";
import { socketPath } from "./helpers.js";

/** The memory store, but every batch waits at a gate the test opens (a commit that takes its time). */
function gated(): { store: KeyValueStore; memory: KeyValueStore; arrived: Promise<void>; open: () => void } {
  const memory = createMemoryStore();
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let arrive: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const store: KeyValueStore = {
    get: (key) => memory.get(key),
    getMany: (keys) => memory.getMany(keys),
    scan: (options) => memory.scan(options),
    subscribe: (listener, options) => memory.subscribe(listener, options),
    stats: () => memory.stats(),
    close: () => memory.close(),
    batch: async (ops): Promise<WriteResult> => {
      arrive();
      await gate;
      return memory.batch(ops);
    },
  };
  return { store, memory, arrived, open };
}

describe("reads of a key with a batch in flight", () => {
  it("get and getMany of a key a batch in flight writes are answered once it settled, with its write; other keys at once", async () => {
    const path = await socketPath();
    const { store, memory, arrived, open } = gated();
    await memory.batch([{ type: "set", key: "other", value: 0 }]);
    const server = await serveStore(store, { socketPath: path });
    const client = await connectStore({ socketPath: path });
    const written = client.batch([{ type: "set", key: "k", value: "new" }]);
    await arrived;
    const settled: string[] = [];
    const one = client.get("k").then((entry) => {
      settled.push("get");
      return entry;
    });
    const many = client.getMany(["other", "k"]).then((entries) => {
      settled.push("getMany");
      return entries;
    });
    // Read after them on the same connection, so answered only once the server has read both.
    expect(await client.get("other")).toMatchObject({ key: "other", value: 0 });
    await client.stats();
    expect(settled).toEqual([]);

    open();
    const { seq } = await written;
    expect(await one).toEqual({ key: "k", value: "new", version: seq });
    expect((await many).map((entry) => entry?.value)).toEqual([0, "new"]);
    await client.close();
    await server.close();
    await store.close();
  });
});
