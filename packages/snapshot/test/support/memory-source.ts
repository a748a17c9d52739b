import type { ChangeEvent, ChangeOp, ImportOp, JsonValue, MirrorSource } from "../../src/index.js";

/**
 * An in-memory keyspace with the shape of `@store/log`'s store, for tests that must not depend on
 * the log: a sorted scan, a seq bumped per write, listeners called synchronously after each write.
 */
export class MemorySource implements MirrorSource {
  readonly #entries = new Map<string, JsonValue>();
  readonly #listeners = new Set<(event: ChangeEvent) => void>();
  #seq = 0;
  batches: ImportOp[][] = [];

  get seq(): number {
    return this.#seq;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  *scan(prefix = ""): Iterable<readonly [string, JsonValue]> {
    const keys = [...this.#entries.keys()].filter((key) => key.startsWith(prefix)).sort();
    for (const key of keys) yield [key, this.#entries.get(key)!];
  }

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  set(key: string, value: JsonValue): void {
    this.apply([{ type: "set", key, value }]);
  }

  delete(key: string): void {
    this.apply([{ type: "delete", key }]);
  }

  apply(ops: readonly ChangeOp[]): void {
    for (const op of ops) {
      if (op.type === "set") this.#entries.set(op.key, structuredClone(op.value));
      else this.#entries.delete(op.key);
    }
    this.#seq += 1;
    const event: ChangeEvent = { seq: this.#seq, ops };
    for (const listener of this.#listeners) listener(event);
  }

  async batch(ops: ImportOp[]): Promise<{ seq: number }> {
    this.batches.push(ops);
    this.apply(ops);
    return { seq: this.#seq };
  }

  /** What a view of `prefix` must hold. */
  view(prefix: string): Record<string, JsonValue> {
    const view: Record<string, JsonValue> = {};
    for (const [key, value] of this.scan(prefix)) Object.defineProperty(view, key.slice(prefix.length), { value, enumerable: true, writable: true, configurable: true });
    return view;
  }
}
