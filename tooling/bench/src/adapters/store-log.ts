import type { Store, SyncMode } from "@store/log";
import type { Adapter, AdapterSpec } from "../adapter.js";
import type { Player } from "../record.js";

type OpenStore = (dir: string, options: { sync: SyncMode }) => Promise<Store>;

class StoreLog implements Adapter {
  readonly #openStore: OpenStore;
  readonly #sync: SyncMode;
  #store: Store | undefined;

  constructor(openStore: OpenStore, sync: SyncMode) {
    this.#openStore = openStore;
    this.#sync = sync;
  }

  async open(dir: string): Promise<void> {
    this.#store = await this.#openStore(dir, { sync: this.#sync });
  }

  async set(key: string, value: Player): Promise<void> {
    await this.#store!.set(key, value);
  }

  async get(key: string): Promise<unknown> {
    return this.#store!.get(key);
  }

  async compact(): Promise<void> {
    await this.#store!.compact();
  }

  async close(): Promise<void> {
    await this.#store?.close();
    this.#store = undefined;
  }

  flushes(): number {
    return this.#store!.stats().flushes;
  }
}

/** Loaded lazily so that a benchmark run without a built `@store/log` still measures the others. */
async function loadOpenStore(): Promise<OpenStore> {
  const { openStore } = await import("@store/log");
  return openStore;
}

export const storeLogAlways: AdapterSpec = {
  name: "@store/log always",
  role: "ours",
  durability: "fdatasync per group of sets (group commit)",
  durable: true,
  create: async () => new StoreLog(await loadOpenStore(), "always"),
};

export const storeLogInterval: AdapterSpec = {
  name: "@store/log interval",
  role: "ours",
  durability: "fdatasync every 100 ms (default): NOT durable on power loss",
  durable: false,
  create: async () => new StoreLog(await loadOpenStore(), "interval"),
};
