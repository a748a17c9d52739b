import type { JsonValue, StoreError } from "@store/fs";
import { scanAll, type ChangeEvent, type KeyValueStore, type Subscription } from "@store/kv";

/** Keeps one in-memory view (an index) current for the keys under `prefix`. */
export interface FollowHandler {
  readonly prefix: string;
  /** The key's value now, or undefined once deleted. Must not throw. */
  apply(key: string, value: JsonValue | undefined): void;
  /** Forget everything (before a rebuild from scratch). */
  reset(): void;
  /** Called once the views are exact (after the scan and the catch-up): a handler may build its index in bulk then. */
  ready?(): void;
}

export interface FollowerOptions {
  readonly pageSize: number;
  /** A subscription that ended by an error (it is rebuilt once), or a rebuild that failed. */
  readonly onError: (error: unknown) => void;
}

/**
 * Builds in-memory views from a scan and keeps them current from the change subscription, so they
 * also follow other processes' writes on a shared backend.
 *
 * The subscription is made before the scan. Scan pages and events then interleave in any order
 * (pages are read at different points, events arrive late). A page must not undo what a newer
 * event said, so while the scan runs the version of every key an event touched is kept (deletes
 * included), and a page entry is applied only if it is newer. The other way round needs no check:
 * an event older than a page entry can arrive after it, but the event that wrote that entry's
 * version is then still to come (it is above the subscription's start, or the page could not have
 * seen it after the subscription was made), and events come in order, so the key ends right. Once
 * the scan is done and the events have caught up with the store's seq read after it, the views are
 * exact at that seq, and every later event is newer than anything a page showed.
 */
export class Follower {
  readonly #kv: KeyValueStore;
  readonly #handlers: readonly FollowHandler[];
  readonly #options: FollowerOptions;
  /** While building: per key an event touched, that event's seq (undefined once exact). */
  #eventVersions: Map<string, number> | undefined;
  #subscription: Subscription | undefined;
  #delivered = 0;
  #waiters: Array<{ seq: number; resolve: () => void; reject: (error: unknown) => void }> = [];
  #failure: Error | undefined;
  #closed = false;
  #generation = 0;
  /** The build in progress (at start, or after a subscription ended): the views are exact once it resolves. */
  #built: Promise<void> = Promise.resolve();

  private constructor(kv: KeyValueStore, handlers: readonly FollowHandler[], options: FollowerOptions) {
    this.#kv = kv;
    this.#handlers = handlers;
    this.#options = options;
  }

  static async start(kv: KeyValueStore, handlers: readonly FollowHandler[], options: FollowerOptions): Promise<Follower> {
    const follower = new Follower(kv, handlers, options);
    follower.#built = follower.#build();
    await follower.#built;
    return follower;
  }

  /** Every change up to this seq is in the views. */
  get seq(): number {
    return this.#delivered;
  }

  /** Resolves once the views include every write the store had committed when this was called. */
  async catchUp(): Promise<void> {
    await this.#built;
    const { seq } = await this.#kv.stats();
    await this.waitFor(seq);
  }

  waitFor(seq: number): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#delivered >= seq || this.#closed) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ seq, resolve, reject }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const subscription = this.#subscription;
    this.#subscription = undefined;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    await subscription?.close();
  }

  async #build(): Promise<void> {
    const generation = ++this.#generation;
    const eventVersions = new Map<string, number>();
    this.#eventVersions = eventVersions;
    this.#subscription = await this.#kv.subscribe(
      (event) => {
        if (generation === this.#generation) this.#onEvent(event);
      },
      {
        onError: (error) => {
          if (generation === this.#generation) this.#onSubscriptionError(error);
        },
      },
    );
    this.#delivered = Math.max(this.#delivered, this.#subscription.afterSeq);
    for (const handler of this.#handlers) {
      // A prefix can contain another handler's (`meta/import` and `meta/import-chunk/`).
      const nested = this.#handlers.some((other) => other !== handler && other.prefix.startsWith(handler.prefix));
      for await (const entry of scanAll(this.#kv, { prefix: handler.prefix, pageSize: this.#options.pageSize })) {
        if (generation !== this.#generation || this.#closed) return;
        if (nested && this.#handlerFor(entry.key) !== handler) continue;
        const newer = eventVersions.get(entry.key);
        if (newer !== undefined && newer >= entry.version) continue;
        handler.apply(entry.key, entry.value);
      }
    }
    await this.waitFor((await this.#kv.stats()).seq);
    if (generation !== this.#generation) return;
    this.#eventVersions = undefined;
    for (const handler of this.#handlers) handler.ready?.();
  }

  #onEvent(event: ChangeEvent): void {
    if (this.#closed) return;
    for (const op of event.ops) {
      const handler = this.#handlerFor(op.key);
      if (handler === undefined) continue;
      this.#eventVersions?.set(op.key, event.seq);
      // Handlers take a delete of a key they do not hold as a no-op.
      handler.apply(op.key, op.type === "set" ? op.value : undefined);
    }
    this.#delivered = Math.max(this.#delivered, event.seq);
    if (this.#waiters.length === 0) return;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (this.#delivered >= waiter.seq) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }

  /** The handler with the longest prefix of `key`. */
  #handlerFor(key: string): FollowHandler | undefined {
    let found: FollowHandler | undefined;
    for (const handler of this.#handlers) {
      if (key.startsWith(handler.prefix) && (found === undefined || handler.prefix.length > found.prefix.length)) found = handler;
    }
    return found;
  }

  /** The subscription ended (history gone, connection lost): rebuild the views from scratch, once. */
  #onSubscriptionError(error: StoreError): void {
    this.#options.onError(error);
    if (this.#closed) return;
    for (const handler of this.#handlers) handler.reset();
    this.#built = this.#build().catch((rebuildError: unknown) => {
      this.#failure = rebuildError instanceof Error ? rebuildError : new Error(String(rebuildError));
      for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
      this.#options.onError(rebuildError);
      throw this.#failure;
    });
    // Reported through onError already; catchUp() callers still see the rejection.
    this.#built.catch(() => undefined);
  }
}
