import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Adapter, AdapterSpec } from "../adapter.js";
import type { Entry, Player } from "../record.js";
import { appendLines, encodeLine, writeFully } from "./lines.js";

interface Pending {
  readonly key: string;
  readonly value: Player;
  readonly line: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

// Filled a page at a time: on kernels whose page cache uses large folios (ext4 since Linux 6.16),
// one big zero write makes 1 MiB folios, and every small overwrite then writes back a whole folio.
const zeroChunk = Buffer.alloc(4_096);

/**
 * The disk's limit with group commit: every set that arrives while a flush is in flight waits and
 * goes out in the next single write + fdatasync, together with all the others that arrived.
 * With `preallocateBytes`, the file is first filled with zeros and synced (untimed), and records
 * overwrite it from the start: the file's size never changes, so an fdatasync has no metadata to
 * commit (what a reused SQLite WAL or an LMDB map gets).
 */
class GroupCommit implements Adapter {
  readonly #values = new Map<string, Player>();
  readonly #preallocateBytes: number;
  #queue: Pending[] = [];
  #flushing = false;
  #file: FileHandle | undefined;
  #offset = 0;
  #flushCount = 0;

  constructor(preallocateBytes: number) {
    this.#preallocateBytes = preallocateBytes;
  }

  async open(dir: string): Promise<void> {
    if (this.#preallocateBytes === 0) {
      this.#file = await open(join(dir, "group.log"), "a");
      return;
    }
    const file = await open(join(dir, "preallocated.log"), "w");
    for (let at = 0; at < this.#preallocateBytes; at += zeroChunk.length) await writeFully(file, zeroChunk, at);
    await file.sync();
    this.#file = file;
  }

  async #write(bytes: Buffer): Promise<void> {
    if (this.#preallocateBytes === 0) return writeFully(this.#file!, bytes);
    await writeFully(this.#file!, bytes, this.#offset);
    this.#offset += bytes.length;
  }

  set(key: string, value: Player): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ key, value, line: encodeLine(key, value), resolve, reject });
      if (!this.#flushing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#flushing = true;
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      try {
        await this.#write(Buffer.concat(group.map((pending) => pending.line)));
        await this.#file!.datasync();
        this.#flushCount++;
        for (const pending of group) {
          this.#values.set(pending.key, pending.value);
          pending.resolve();
        }
      } catch (error) {
        for (const pending of group) pending.reject(error);
      }
    }
    this.#flushing = false;
  }

  async get(key: string): Promise<unknown> {
    return this.#values.get(key);
  }

  async prefill(records: Iterable<Entry>): Promise<void> {
    await appendLines((bytes) => this.#write(bytes), records, (key, value) => this.#values.set(key, value));
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

export const groupCommit: AdapterSpec = {
  name: "disk: group commit",
  role: "limit",
  durability: "fdatasync per group of sets",
  durable: true,
  create: async () => new GroupCommit(0),
};

/** Enough for every timed set of a full run (20,000 concurrent sets and 10,000 prefilled keys). */
const preallocateBytes = 32 << 20;

export const preallocatedGroupCommit: AdapterSpec = {
  name: "disk: prealloc group commit",
  role: "limit",
  durability: "fdatasync per group of sets, overwriting a preallocated file",
  durable: true,
  create: async () => new GroupCommit(preallocateBytes),
};
