import { join } from "node:path";
import type { Database, Statement } from "better-sqlite3";
import type { Adapter, AdapterSpec } from "../adapter.js";
import type { Entry, Player } from "../record.js";

type Open = (path: string) => Database;

/** better-sqlite3 is synchronous: each set is one autocommit transaction that fsyncs the WAL. */
class BetterSqlite implements Adapter {
  readonly #openDatabase: Open;
  #db: Database | undefined;
  #put: Statement<[string, string]> | undefined;
  #read: Statement<[string], { value: string }> | undefined;

  constructor(openDatabase: Open) {
    this.#openDatabase = openDatabase;
  }

  async open(dir: string): Promise<void> {
    const db = this.#openDatabase(join(dir, "players.sqlite"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
    this.#put = db.prepare("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    this.#read = db.prepare("SELECT value FROM kv WHERE key = ?");
    this.#db = db;
  }

  async set(key: string, value: Player): Promise<void> {
    this.#put!.run(key, JSON.stringify(value));
  }

  async get(key: string): Promise<unknown> {
    const row = this.#read!.get(key);
    return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
  }

  async prefill(records: Iterable<Entry>): Promise<void> {
    const put = this.#put!;
    const insertAll = this.#db!.transaction((all: Iterable<Entry>) => {
      for (const [key, value] of all) put.run(key, JSON.stringify(value));
    });
    insertAll(records);
    // Fold the WAL into the main file, as a long-running application's checkpoints would have.
    this.#db!.pragma("wal_checkpoint(TRUNCATE)");
  }

  async close(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
  }
}

export const betterSqlite3: AdapterSpec = {
  name: "better-sqlite3",
  role: "peer",
  durability: "WAL, synchronous=FULL: fsync per commit",
  durable: true,
  create: async () => {
    const { default: Sqlite } = await import("better-sqlite3");
    return new BetterSqlite((path) => new Sqlite(path));
  },
};
