import type { WriteRecord } from "./format.js";
import { deepFreeze, parseFrozenJson, withLazyValue, type JsonValue } from "@store/fs";
import { SortedKeys } from "./sorted-keys.js";

/**
 * One key's change in a write. A write carries the value's JSON text (parsed only when someone
 * reads the key); replay carries the value the record's parse produced. Neither: a delete.
 */
export interface KeyChange {
  readonly key: string;
  readonly json?: string | undefined;
  readonly value?: JsonValue | undefined;
  readonly deleted: boolean;
}

/**
 * A live key. Entries are replaced on every write, never changed (but for the parse cache), so a
 * snapshot can hold on to them; only replay, before anyone can hold one, updates them in place.
 */
interface Entry {
  /** The value, once parsed; undefined until the first read of a key written or loaded since open. */
  value: JsonValue | undefined;
  /**
   * The value's JSON text: a string (a write), or the bytes `[start, end)` of a buffer read at open
   * (a base's entries stay in the file's bytes: no string per value, nothing for the GC to trace).
   */
  json: string | Buffer | undefined;
  start: number;
  end: number;
  /** The seq of the key's last write. */
  version: number;
  /** Estimated bytes this key would take in a base file. */
  bytes: number;
  /** Set when a running snapshot has already handed this entry out. */
  emittedBy: number;
}

/** One key's state in a snapshot: what it held at the snapshot's seq. */
export interface SnapshotEntry {
  readonly key: string;
  /** The value's JSON text. */
  readonly json: string;
  readonly version: number;
}

/**
 * The materialized state: every live key with its value and version, plus a sorted key index for
 * prefix scans. It holds only acknowledged writes. A snapshot (for compaction) sees the state as of
 * one seq while writes continue: writes made meanwhile save the entry they replace.
 */
export class Keyspace {
  readonly #entries = new Map<string, Entry>();
  /** Sorted keys; null until a scan needs it (opening a big store does not pay for sorting). */
  #sortedKeys: SortedKeys | null = null;
  #liveBytes = 0;
  #seq = 0;
  #snapshot: { id: number; seq: number; preimages: Map<string, Entry | null> } | null = null;
  #snapshotCount = 0;
  /** Buffers `packValues` made, and their bytes in all: what is not live in them is waste. */
  readonly #packedBuffers = new WeakSet<Buffer>();
  #packedBytes = 0;

  get seq(): number {
    return this.#seq;
  }

  get size(): number {
    return this.#entries.size;
  }

  get liveBytes(): number {
    return this.#liveBytes;
  }

  get(key: string): JsonValue | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : valueOf(entry);
  }

  version(key: string): number | undefined {
    return this.#entries.get(key)?.version;
  }

  /**
   * The value with its version, read together. A value still held as its record's text is parsed
   * only when `value` is first read, and keeps the text (`jsonTextOf`): a socket server answering
   * the read sends the text and never parses it.
   */
  getEntry(key: string): { readonly value: JsonValue; readonly version: number } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.value !== undefined || entry.json === undefined) return { value: valueOf(entry), version: entry.version };
    return withLazyValue({ version: entry.version }, textOf(entry.json, entry), () => valueOf(entry));
  }

  /** Sets the seq without a write: a base file or a segment header says where the state stands. */
  advanceTo(seq: number): void {
    if (seq > this.#seq) this.#seq = seq;
  }

  /** Applies a durable write. `recordBytes` is its encoded size, shared among its changes. */
  apply(seq: number, changes: readonly KeyChange[], recordBytes: number): void {
    const bytesEach = Math.ceil(recordBytes / Math.max(1, changes.length));
    for (const change of changes) {
      if (change.deleted) this.#remove(change.key);
      else this.#put(change.key, { value: change.value, json: change.json, start: 0, end: 0, version: seq, bytes: bytesEach, emittedBy: 0 });
    }
    this.#seq = seq;
  }

  /** Loads one key from a base file, or replays one set, with its value as parsed. */
  load(key: string, value: JsonValue, version: number, bytes: number): void {
    this.#put(key, { value, json: undefined, start: 0, end: 0, version, bytes, emittedBy: 0 });
  }

  /**
   * Replays a set (or loads a base entry) whose value is the JSON text `source[start, end)`, a
   * buffer a file was read into: kept, not copied, until `packValues`. Replay runs before anyone can
   * hold an entry, so a key seen before is updated in place: one Map lookup and nothing allocated
   * per overwritten key (500k records over 100k keys are mostly that).
   */
  replaySet(key: string, source: Buffer, start: number, end: number, version: number, bytes: number): void {
    if (this.#snapshot !== null) throw new Error("assertion failed: replay while a snapshot runs");
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#entries.set(key, { value: undefined, json: source, start, end, version, bytes, emittedBy: 0 });
      this.#insertSorted(key);
      this.#liveBytes += bytes;
      return;
    }
    this.#liveBytes += bytes - entry.bytes;
    entry.value = undefined;
    entry.json = source;
    entry.start = start;
    entry.end = end;
    entry.version = version;
    entry.bytes = bytes;
  }

  /**
   * Copies the values that replay left in files' read buffers into one buffer of their own, so those
   * buffers, which mostly hold records overwritten since, can be freed. Values in `keep` (a base
   * read whole, where every entry is live) stay where they are. Values packed before stay in their
   * buffer (copying them again at every call would make replay quadratic in the segments' size),
   * unless those buffers are mostly dead (overwritten since): then everything is packed again, so
   * packed buffers never hold more than twice the live values. Returns the bytes copied.
   */
  packValues(keep: Buffer | undefined): number {
    if (this.#snapshot !== null) throw new Error("assertion failed: values packed while a snapshot runs");
    let freshBytes = 0;
    let packedLiveBytes = 0;
    for (const entry of this.#entries.values()) {
      if (!isPackable(entry, keep)) continue;
      if (this.#packedBuffers.has(entry.json as Buffer)) packedLiveBytes += entry.end - entry.start;
      else freshBytes += entry.end - entry.start;
    }
    const repackAll = this.#packedBytes - packedLiveBytes > packedLiveBytes;
    const total = repackAll ? freshBytes + packedLiveBytes : freshBytes;
    if (total === 0) return 0;
    const packed = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (const entry of this.#entries.values()) {
      if (!isPackable(entry, keep) || (!repackAll && this.#packedBuffers.has(entry.json as Buffer))) continue;
      const length = (entry.json as Buffer).copy(packed, at, entry.start, entry.end);
      entry.json = packed;
      entry.start = at;
      entry.end = at + length;
      at += length;
    }
    this.#packedBuffers.add(packed);
    this.#packedBytes = repackAll ? total : this.#packedBytes + total;
    return total;
  }

  /**
   * Adds a base's key to a keyspace being filled from it, its value the JSON text in
   * `source[start, end)` (kept, not copied). A base's keys are distinct, so this is one Map operation
   * where `load` takes two; false if the key was there already (then the keyspace is to be dropped).
   */
  addFromBase(key: string, source: Buffer, start: number, end: number, version: number, bytes: number): boolean {
    if (this.#snapshot !== null || this.#sortedKeys !== null) throw new Error("assertion failed: addFromBase on a keyspace in use");
    const size = this.#entries.size;
    this.#entries.set(key, { value: undefined, json: source, start, end, version, bytes, emittedBy: 0 });
    this.#liveBytes += bytes;
    return this.#entries.size > size;
  }

  /** Keys starting with `prefix`, sorted, with their values, as of now. */
  scan(prefix: string): Array<[string, JsonValue]> {
    return this.#sorted()
      .range(prefix, undefined, Number.MAX_SAFE_INTEGER, false)
      .map((key) => [key, valueOf(this.#entries.get(key)!)]);
  }

  /** One page of keys starting with `prefix`, strictly after `after` in the walk's direction. */
  range(prefix: string, after: string | undefined, limit: number, reverse: boolean): Array<{ key: string; value: JsonValue; version: number }> {
    return this.#sorted()
      .range(prefix, after, limit, reverse)
      .map((key) => {
        const entry = this.#entries.get(key)!;
        return { key, value: valueOf(entry), version: entry.version };
      });
  }

  /** The seq the running snapshot reflects. */
  get snapshotSeq(): number {
    if (this.#snapshot === null) throw new Error("assertion failed: no snapshot is running");
    return this.#snapshot.seq;
  }

  /** Starts a snapshot of the current state. Only one at a time. */
  beginSnapshot(): void {
    if (this.#snapshot !== null) throw new Error("assertion failed: a snapshot is already running");
    this.#snapshotCount += 1;
    this.#snapshot = { id: this.#snapshotCount, seq: this.#seq, preimages: new Map() };
  }

  /**
   * The snapshot's entries, `chunkSize` at a time, so the caller can write them out between writes.
   * Each key comes exactly once, with its value as of the snapshot's seq.
   */
  *snapshotEntries(chunkSize: number): Generator<SnapshotEntry[]> {
    const snapshot = this.#snapshot;
    if (snapshot === null) throw new Error("assertion failed: no snapshot is running");
    let chunk: SnapshotEntry[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.version > snapshot.seq) continue; // written since: its preimage is handed out below
      if (entry.emittedBy === snapshot.id) continue;
      entry.emittedBy = snapshot.id;
      chunk.push({ key, json: jsonOf(entry), version: entry.version });
      if (chunk.length >= chunkSize) {
        yield chunk;
        chunk = [];
      }
    }
    for (const [key, entry] of snapshot.preimages) {
      if (entry === null || entry.emittedBy === snapshot.id) continue;
      entry.emittedBy = snapshot.id;
      chunk.push({ key, json: jsonOf(entry), version: entry.version });
    }
    if (chunk.length > 0) yield chunk;
  }

  endSnapshot(): void {
    this.#snapshot = null;
  }

  #put(key: string, entry: Entry): void {
    const previous = this.#entries.get(key);
    this.#savePreimage(key, previous);
    if (previous === undefined) this.#insertSorted(key);
    else this.#liveBytes -= previous.bytes;
    this.#entries.set(key, entry);
    this.#liveBytes += entry.bytes;
  }

  #remove(key: string): void {
    const previous = this.#entries.get(key);
    if (previous === undefined) return;
    this.#savePreimage(key, previous);
    this.#entries.delete(key);
    this.#liveBytes -= previous.bytes;
    this.#removeSorted(key);
  }

  #savePreimage(key: string, previous: Entry | undefined): void {
    const snapshot = this.#snapshot;
    if (snapshot === null || snapshot.preimages.has(key)) return;
    if (previous !== undefined && previous.version > snapshot.seq) return;
    snapshot.preimages.set(key, previous ?? null);
  }

  #sorted(): SortedKeys {
    this.#sortedKeys ??= SortedKeys.from(this.#entries.keys());
    return this.#sortedKeys;
  }

  #insertSorted(key: string): void {
    this.#sortedKeys?.insert(key);
  }

  #removeSorted(key: string): void {
    this.#sortedKeys?.delete(key);
  }
}

/** The changes a replayed record makes. */
export function changesOf(record: WriteRecord): KeyChange[] {
  switch (record.op) {
    case "set":
      return [{ key: record.key, value: record.value, deleted: false }];
    case "del":
      return [{ key: record.key, deleted: true }];
    case "batch":
      return record.ops.map((op) => (op.op === "set" ? { key: op.key, value: op.value, deleted: false } : { key: op.key, deleted: true }));
  }
}

/** Values are parsed on first read and frozen, so a reader cannot change the store's state by accident. */
function isPackable(entry: Entry, keep: Buffer | undefined): boolean {
  return typeof entry.json === "object" && entry.json !== keep;
}

function valueOf(entry: Entry): JsonValue {
  // Parsed from the text, the value keeps it (jsonTextOf): a server answering the read sends that.
  if (entry.value === undefined && entry.json !== undefined) entry.value = parseFrozenJson(textOf(entry.json, entry));
  return deepFreeze(entry.value as JsonValue);
}

function jsonOf(entry: Entry): string {
  return entry.json === undefined ? JSON.stringify(entry.value) : textOf(entry.json, entry);
}

function textOf(json: string | Buffer, { start, end }: Entry): string {
  return typeof json === "string" ? json : json.toString("utf8", start, end);
}
