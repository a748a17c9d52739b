import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyValueStore } from "@store/kv";
import { afterAll } from "vitest";
import { connectStore, serveStore, type ConnectOptions, type RemoteServer, type RemoteStore, type ServeOptions } from "../src/index.js";

const made: string[] = [];

afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temp folder, removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "remote-"));
  made.push(dir);
  return dir;
}

/** A socket path in a fresh temp folder (short enough for sun_path). */
export async function socketPath(): Promise<string> {
  return join(await tempDir(), "store.sock");
}

/**
 * `store` served on a fresh socket and a client connected to it, as one KeyValueStore whose close()
 * closes the client, then the server, then the store: what the conformance suite opens.
 */
export async function served(store: KeyValueStore, options: { serve?: Partial<ServeOptions>; connect?: Partial<ConnectOptions> } = {}): Promise<KeyValueStore & { client: RemoteStore; server: RemoteServer }> {
  const path = await socketPath();
  const server = await serveStore(store, { socketPath: path, ...options.serve });
  const client = await connectStore({ socketPath: path, ...options.connect });
  let closing: Promise<void> | undefined;
  return {
    client,
    server,
    get: (key) => client.get(key),
    getMany: (keys) => client.getMany(keys),
    scan: (scanOptions) => client.scan(scanOptions),
    batch: (ops) => client.batch(ops),
    subscribe: (listener, subscribeOptions) => client.subscribe(listener, subscribeOptions),
    stats: () => client.stats(),
    close: () => {
      closing ??= (async () => {
        await client.close();
        await server.close();
        await store.close();
      })();
      return closing;
    },
  };
}
