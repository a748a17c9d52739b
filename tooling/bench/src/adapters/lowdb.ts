import { join } from "node:path";
import type { Low } from "lowdb";
import type { Adapter, AdapterSpec } from "../adapter.js";
import type { Entry, Player } from "../record.js";

type Data = Record<string, Player>;
type Open = (path: string) => Low<Data>;

/** lowdb 7: the whole JSON file is rewritten (temp file + rename, never fsynced) on every write. */
class Lowdb implements Adapter {
  readonly #openDatabase: Open;
  #db: Low<Data> | undefined;

  constructor(openDatabase: Open) {
    this.#openDatabase = openDatabase;
  }

  async open(dir: string): Promise<void> {
    const db = this.#openDatabase(join(dir, "players.json"));
    await db.read();
    this.#db = db;
  }

  async set(key: string, value: Player): Promise<void> {
    const db = this.#db!;
    db.data[key] = value;
    await db.write();
  }

  async get(key: string): Promise<unknown> {
    return this.#db!.data[key];
  }

  async prefill(records: Iterable<Entry>): Promise<void> {
    const db = this.#db!;
    for (const [key, value] of records) db.data[key] = value;
    await db.write();
  }

  async close(): Promise<void> {
    this.#db = undefined;
  }
}

export const lowdb: AdapterSpec = {
  name: "lowdb",
  role: "peer",
  durability: "never fsyncs (temp file + rename)",
  durable: false,
  create: async () => {
    const { Low } = await import("lowdb");
    const { JSONFile } = await import("lowdb/node");
    return new Lowdb((path) => new Low<Data>(new JSONFile<Data>(path), {}));
  },
};
