import { join } from "node:path";
import type { ClassicLevel } from "classic-level";
import type { Adapter, AdapterSpec } from "../adapter.js";
import type { Entry, Player } from "../record.js";

type Level = ClassicLevel<string, Player>;
type Open = (path: string) => Level;

const prefillBatchSize = 1_000;

class Classic implements Adapter {
  readonly #openDatabase: Open;
  #db: Level | undefined;

  constructor(openDatabase: Open) {
    this.#openDatabase = openDatabase;
  }

  async open(dir: string): Promise<void> {
    const db = this.#openDatabase(join(dir, "level"));
    await db.open();
    this.#db = db;
  }

  async set(key: string, value: Player): Promise<void> {
    await this.#db!.put(key, value, { sync: true });
  }

  async get(key: string): Promise<unknown> {
    return this.#db!.get(key);
  }

  async prefill(records: Iterable<Entry>): Promise<void> {
    let batch = this.#db!.batch();
    for (const [key, value] of records) {
      batch.put(key, value);
      if (batch.length >= prefillBatchSize) {
        await batch.write();
        batch = this.#db!.batch();
      }
    }
    await batch.write({ sync: true });
  }

  async close(): Promise<void> {
    await this.#db?.close();
    this.#db = undefined;
  }
}

export const classicLevel: AdapterSpec = {
  name: "classic-level",
  role: "peer",
  durability: "put { sync: true }: fsync of the LevelDB log per write group",
  durable: true,
  create: async () => {
    const { ClassicLevel: Database } = await import("classic-level");
    return new Classic((path) => new Database<string, Player>(path, { valueEncoding: "json" }));
  },
};
