import { join } from "node:path";
import type { Database, RootDatabase } from "lmdb";
import type { Adapter, AdapterSpec } from "../adapter.js";
import type { Entry, Player } from "../record.js";

const prefillInFlightMax = 10_000;

type Open = (path: string) => RootDatabase<Player, string>;

/**
 * lmdb-js with its defaults (overlappingSync on Linux): `put` resolves once the transaction is
 * committed and visible, which is before it is on disk. `db.flushed` resolves once every earlier
 * commit is synced, so a set waits for both.
 */
class Lmdb implements Adapter {
  readonly #openDatabase: Open;
  #db: Database<Player, string> | undefined;

  constructor(openDatabase: Open) {
    this.#openDatabase = openDatabase;
  }

  async open(dir: string): Promise<void> {
    this.#db = this.#openDatabase(join(dir, "players.mdb"));
  }

  async set(key: string, value: Player): Promise<void> {
    const db = this.#db!;
    await db.put(key, value);
    await db.flushed;
  }

  async get(key: string): Promise<unknown> {
    return this.#db!.get(key);
  }

  async prefill(records: Iterable<Entry>): Promise<void> {
    const db = this.#db!;
    let pending: Promise<boolean> = Promise.resolve(true);
    let count = 0;
    for (const [key, value] of records) {
      pending = db.put(key, value);
      // Bounded in-flight puts: lmdb queues every one in memory until its batch commits.
      if (++count % prefillInFlightMax === 0) await pending;
    }
    await pending;
    await db.flushed;
  }

  async close(): Promise<void> {
    await this.#db?.close();
    this.#db = undefined;
  }
}

export const lmdb: AdapterSpec = {
  name: "lmdb",
  role: "peer",
  durability: "await put, then db.flushed (synced, noSync off)",
  durable: true,
  create: async () => {
    const { open } = await import("lmdb");
    return new Lmdb((path) => open<Player, string>({ path, noSync: false }));
  },
};
