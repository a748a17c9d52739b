import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Adapter, AdapterSpec } from "../adapter.js";
import type { Entry, Player } from "../record.js";
import { Serial } from "../serial.js";
import { appendLines, encodeLine, writeFully } from "./lines.js";

/** The disk's limit for one flush per write: append one line, fdatasync, next. No framing, no index. */
class BareFdatasync implements Adapter {
  readonly #values = new Map<string, Player>();
  readonly #serial = new Serial();
  #file: FileHandle | undefined;
  #flushCount = 0;

  async open(dir: string): Promise<void> {
    this.#file = await open(join(dir, "bare.log"), "a");
  }

  set(key: string, value: Player): Promise<void> {
    const line = encodeLine(key, value);
    return this.#serial.run(async () => {
      const file = this.#file!;
      await writeFully(file, line);
      await file.datasync();
      this.#flushCount++;
      this.#values.set(key, value);
    });
  }

  async get(key: string): Promise<unknown> {
    return this.#values.get(key);
  }

  async prefill(records: Iterable<Entry>): Promise<void> {
    await appendLines((bytes) => writeFully(this.#file!, bytes), records, (key, value) => this.#values.set(key, value));
    await this.#file!.datasync();
  }

  async close(): Promise<void> {
    await this.#file?.close();
    this.#file = undefined;
  }

  flushes(): number {
    return this.#flushCount;
  }
}

export const bareFdatasync: AdapterSpec = {
  name: "disk: append+fdatasync",
  role: "limit",
  durability: "fdatasync per set",
  durable: true,
  create: async () => new BareFdatasync(),
};
