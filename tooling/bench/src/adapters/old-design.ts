import { open, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Adapter, AdapterSpec } from "../adapter.js";
import type { Entry, Player } from "../record.js";
import { Serial } from "../serial.js";
import { appendLines, encodeLine, writeFully } from "./lines.js";

/**
 * The pre-log design, as the old bot did it: for each set, open the log, append, fsync, close, then
 * rewrite one JSON file holding all the data (not fsynced, as the old code did). Start-up reads the
 * JSON file. Sets are serialized: concurrent whole-file rewrites of one file would interleave.
 */
class OldDesign implements Adapter {
  #data: Record<string, Player> = {};
  readonly #serial = new Serial();
  #dir = "";
  #flushCount = 0;

  async open(dir: string): Promise<void> {
    this.#dir = dir;
    try {
      this.#data = JSON.parse(await readFile(this.#jsonPath(), "utf8")) as Record<string, Player>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      this.#data = {};
    }
  }

  #jsonPath(): string {
    return join(this.#dir, "players.json");
  }

  set(key: string, value: Player): Promise<void> {
    return this.#serial.run(async () => {
      const log = await open(join(this.#dir, "players.log"), "a");
      try {
        await writeFully(log, encodeLine(key, value));
        await log.sync();
        this.#flushCount++;
      } finally {
        await log.close();
      }
      this.#data[key] = value;
      await writeFile(this.#jsonPath(), JSON.stringify(this.#data));
    });
  }

  async get(key: string): Promise<unknown> {
    return this.#data[key];
  }

  async prefill(records: Iterable<Entry>): Promise<void> {
    const log = await open(join(this.#dir, "players.log"), "a");
    try {
      await appendLines((bytes) => writeFully(log, bytes), records, (key, value) => (this.#data[key] = value));
      await log.sync();
    } finally {
      await log.close();
    }
    await writeFile(this.#jsonPath(), JSON.stringify(this.#data));
  }

  async close(): Promise<void> {
    await this.#serial.run(async () => undefined);
  }

  flushes(): number {
    return this.#flushCount;
  }
}

export const oldDesign: AdapterSpec = {
  name: "old design",
  role: "old",
  durability: "fsync of log per set; whole JSON rewrite never fsynced",
  durable: true,
  create: async () => new OldDesign(),
};
