import { jsonTextOf, type JsonValue } from "@store/fs";
import type { ChangeEvent, ChangeOp, Entry } from "@store/kv";

/**
 * The server's JSON text of values and events, each made once. A store that keeps its values as
 * JSON text (@store/log) hands out values and event ops that carry it (`jsonTextOf`): that text is
 * sent as it is, and an event's value is then never parsed here at all. Otherwise the value is
 * serialized once: stores hand out frozen values (the contract: what reads and events return is
 * frozen or a copy), and the memory store's value is the same object in its change event and in the
 * reads of the key until it is written again, so the text made for the event (sent to every
 * subscriber) also answers the reads, and a hot key read by many requests is serialized once.
 * Keyed by the objects themselves (weakly): nothing is kept once the store lets a value go.
 */
export class JsonCache {
  readonly #values = new WeakMap<object, string>();
  readonly #events = new WeakMap<ChangeEvent, Buffer>();
  readonly #eventsV2 = new WeakMap<ChangeEvent, Buffer>();
  // Per op as well: a subscription with prefixes gets an event of some of a batch's ops (the same op
  // objects), whose text is then joined from the texts made for the whole event's subscribers.
  readonly #ops = new WeakMap<ChangeOp, string>();
  readonly #opsV2 = new WeakMap<ChangeOp, string>();

  value(value: JsonValue): string {
    // Only a frozen object cannot change after its text was made; anything else is serialized as it is now.
    if (typeof value !== "object" || value === null || !Object.isFrozen(value)) return JSON.stringify(value);
    let text = jsonTextOf(value) ?? this.#values.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      this.#values.set(value, text);
    }
    return text;
  }

  /** An entry on the wire: `[key, version, value]`, or `null` for a missing key. */
  entry(entry: Entry | undefined): string {
    // The entry's own text first: a store keeping it parses the value only when `value` is read.
    return entry === undefined ? "null" : `[${JSON.stringify(entry.key)},${entry.version},${jsonTextOf(entry) ?? this.value(entry.value)}]`;
  }

  /** The UTF-8 JSON of an event's ops in protocol `version`, made once for all its subscribers. */
  eventOps(event: ChangeEvent, version: number): Buffer {
    const cache = version >= 2 ? this.#eventsV2 : this.#events;
    let bytes = cache.get(event);
    if (bytes === undefined) {
      bytes = Buffer.from(`[${event.ops.map((op) => this.#op(op, version)).join(",")}]`, "utf8");
      cache.set(event, bytes);
    }
    return bytes;
  }

  #op(op: ChangeOp, version: number): string {
    const cache = version >= 2 ? this.#opsV2 : this.#ops;
    let text = cache.get(op);
    if (text === undefined) {
      const key = JSON.stringify(op.key);
      if (op.type === "delete") text = version >= 2 ? `["d",${key}]` : `{"type":"delete","key":${key}}`;
      // Version 2: the value's JSON text as a JSON string, parsed by the client only when read.
      else {
        // Read before `op.value`, which a store keeping the text parses only when someone reads it.
        const value = jsonTextOf(op) ?? this.value(op.value);
        text = version >= 2 ? `["s",${key},${JSON.stringify(value)}]` : `{"type":"set","key":${key},"value":${value}}`;
      }
      // Like the event it came in: the server's listeners never change an op, and the value is frozen.
      cache.set(op, text);
    }
    return text;
  }
}
