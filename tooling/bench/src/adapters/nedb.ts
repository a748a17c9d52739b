import { open } from "node:fs/promises";
import { join } from "node:path";
import type { Adapter, AdapterSpec } from "../adapter.js";
import type { Entry, Player } from "../record.js";
import { appendLines, writeFully } from "./lines.js";

type Document = Player & { _id: string };

/** The part of nedb used here; its bundled types describe the CommonJS shape, not the ESM import. */
interface Datastore {
  loadDatabaseAsync(): Promise<void>;
  updateAsync(query: { _id: string }, update: Document, options: { upsert: true }): Promise<unknown>;
  findOneAsync(query: { _id: string }): Promise<Document | null>;
}

type DatastoreClass = new (options: { filename: string }) => Datastore;
type Open = (path: string) => Datastore;

/** @seald-io/nedb: appends each change to its data file without fsync (only compaction fsyncs). */
class Nedb implements Adapter {
  readonly #openDatabase: Open;
  #db: Datastore | undefined;
  #path = "";
  /** Set by `prefill`, which appends to the file behind the loaded datastore's back. */
  #stale = false;

  constructor(openDatabase: Open) {
    this.#openDatabase = openDatabase;
  }

  async open(dir: string): Promise<void> {
    this.#path = join(dir, "players.db");
    await this.#load();
  }

  async #load(): Promise<Datastore> {
    const db = this.#openDatabase(this.#path);
    await db.loadDatabaseAsync();
    this.#db = db;
    this.#stale = false;
    return db;
  }

  async #current(): Promise<Datastore> {
    return this.#stale ? this.#load() : this.#db!;
  }

  async set(key: string, value: Player): Promise<void> {
    const db = await this.#current();
    await db.updateAsync({ _id: key }, { ...value, _id: key }, { upsert: true });
  }

  async get(key: string): Promise<unknown> {
    return (await this.#current()).findOneAsync({ _id: key });
  }

  /**
   * Appends the lines nedb itself appends for each upsert (the whole document), so the file holds
   * one line per record as after a long run; nedb's own API would take minutes for 500k records.
   */
  async prefill(records: Iterable<Entry>): Promise<void> {
    const file = await open(this.#path, "a");
    try {
      await appendLines((bytes) => writeFully(file, bytes), records, () => undefined, (key, value) => ({ ...value, _id: key }));
    } finally {
      await file.close();
    }
    this.#stale = true;
  }

  async close(): Promise<void> {
    this.#db = undefined;
  }
}

export const nedb: AdapterSpec = {
  name: "@seald-io/nedb",
  role: "peer",
  durability: "never fsyncs appends (only its compaction does)",
  durable: false,
  create: async () => {
    const module: { default: unknown } = await import("@seald-io/nedb");
    if (typeof module.default !== "function") throw new Error("@seald-io/nedb did not export its Datastore class");
    const Database = module.default as DatastoreClass;
    return new Nedb((path) => new Database({ filename: path }));
  },
};
