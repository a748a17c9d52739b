import type { JsonValue, StoreError } from "@store/fs";
import { scanAll, SUBSCRIBE_PREFIXES_MAX, type ChangeEvent, type KeyValueStore, type Subscription } from "@store/kv";

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
  /** A subscription that ended by an error (the views are then rebuilt), or a rebuild attempt that failed. */
  readonly onError: (error: unknown) => void;
}

/**
 * Codes of a rebuild that failed because the backend was out of reach (a socket client between two
 * connections, a server restarted without its change history): tried again once it may be back.
 * Any other error (the store closed, corrupted) fails the views for good.
 */
const REBUILD_RETRY_CODES: ReadonlySet<string> = new Set(["STORE_UNAVAILABLE", "STORE_UNKNOWN_OUTCOME", "STORE_HISTORY_GONE"]);
/** Rebuild attempts in a row before the views fail for good: with waits capped at 2 s, about half an hour. */
export const REBUILD_ATTEMPTS_MAX = 1000;
export const REBUILD_DELAY_MS_MIN = 50;
export const REBUILD_DELAY_MS_MAX = 2000;

/** What a backend that reconnects on its own offers (`@store/remote`'s client): a wait for the connection. */
interface Reconnecting {
  whenConnected(): Promise<void>;
}

function isReconnecting(kv: KeyValueStore): kv is KeyValueStore & Reconnecting {
  return typeof (kv as Partial<Reconnecting>).whenConnected === "function";
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
 * the scan is done and the subscription has caught up (`caughtUp()`) with the store's seq after
 * it, the views are exact at that seq, and every later event is newer than anything a page showed.
 *
 * The subscription asks only for the handlers' prefixes: on a shared backend the other keys'
 * changes (tokens, idempotency records) are neither sent nor parsed. Its seqs then no longer say
 * how far the store got, so catching up asks the subscription (`caughtUp()`), not `stats()`.
 */
export class Follower {
  readonly #kv: KeyValueStore;
  readonly #handlers: readonly FollowHandler[];
  readonly #options: FollowerOptions;
  /** While building: per key an event touched, that event's seq (undefined once exact). */
  #eventVersions: Map<string, number> | undefined;
  #subscription: Subscription | undefined;
  #delivered = 0;
  #failure: Error | undefined;
  #closed = false;
  #generation = 0;
  /** Wakes a rebuild waiting to try again (close() calls it). */
  #wakeRetry: (() => void) | undefined;
  /** The build in progress (at start, or after a subscription ended): the views are exact once it resolves. */
  #built: Promise<void> = Promise.resolve();

  private constructor(kv: KeyValueStore, handlers: readonly FollowHandler[], options: FollowerOptions) {
    this.#kv = kv;
    this.#handlers = handlers;
    this.#options = options;
  }

  static async start(kv: KeyValueStore, handlers: readonly FollowHandler[], options: FollowerOptions): Promise<Follower> {
    const follower = new Follower(kv, handlers, options);
    follower.#built = follower.#build(++follower.#generation);
    await follower.#built;
    return follower;
  }

  /** Every change up to this seq is in the views (as of the last catch-up, or a later event). */
  get seq(): number {
    return this.#delivered;
  }

  /** Resolves once the views include every write the store had committed when this was called. */
  async catchUp(): Promise<void> {
    await this.#settledBuild();
    if (this.#failure !== undefined) throw this.#failure;
    const subscription = this.#subscription;
    if (subscription !== undefined && !this.#closed) {
      try {
        const seq = await subscription.caughtUp();
        if (subscription === this.#subscription) this.#delivered = Math.max(this.#delivered, seq);
      } catch (error) {
        // Ended meanwhile: closed, or ended by an error that started a rebuild (waited for below).
        if (this.#isCurrent(subscription)) throw error;
      }
    }
    // A subscription that ended meanwhile reset the views for a rebuild: they are exact once it is done.
    await this.#settledBuild();
  }

  /**
   * Waits until no build is in progress. A build superseded by a newer one (its subscription ended
   * while it scanned) resolves early, with the views reset for the newer one: wait for that one too.
   */
  async #settledBuild(): Promise<void> {
    for (let built = this.#built; ; built = this.#built) {
      await built;
      if (built === this.#built) return;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wakeRetry?.();
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await subscription?.close();
  }

  /** Builds the views as generation `generation`; returns early once a newer build supersedes it. */
  async #build(generation: number): Promise<void> {
    // A failed attempt's subscription may still be live: its events and errors are ignored from now on.
    const previous = this.#subscription;
    this.#subscription = undefined;
    await previous?.close().catch(() => undefined);
    const eventVersions = new Map<string, number>();
    this.#eventVersions = eventVersions;
    const subscription = await this.#kv.subscribe(
      (event) => {
        if (generation === this.#generation) this.#onEvent(event);
      },
      {
        ...this.#prefixesOption(),
        onError: (error) => {
          if (generation === this.#generation) this.#onSubscriptionError(error);
        },
      },
    );
    if (this.#superseded(generation)) {
      // Closed or superseded meanwhile: this subscription is no one's.
      await subscription.close();
      return;
    }
    this.#subscription = subscription;
    this.#delivered = Math.max(this.#delivered, subscription.afterSeq);
    for (const handler of this.#handlers) {
      // A prefix can contain another handler's (`meta/import` and `meta/import-chunk/`).
      const nested = this.#handlers.some((other) => other !== handler && other.prefix.startsWith(handler.prefix));
      for await (const entry of scanAll(this.#kv, { prefix: handler.prefix, pageSize: this.#options.pageSize })) {
        if (this.#superseded(generation)) return;
        if (nested && this.#handlerFor(entry.key) !== handler) continue;
        const newer = eventVersions.get(entry.key);
        if (newer !== undefined && newer >= entry.version) continue;
        handler.apply(entry.key, entry.value);
      }
    }
    let seq: number;
    try {
      seq = await subscription.caughtUp();
    } catch (error) {
      // Ended meanwhile: closed, or by an error whose rebuild supersedes this build.
      if (this.#superseded(generation)) return;
      throw error;
    }
    if (generation !== this.#generation) return;
    this.#delivered = Math.max(this.#delivered, seq);
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
  }

  /** Only the handlers' keys (all of them past the contract's count of prefixes, which no view of ours reaches). */
  #prefixesOption(): { prefixes?: string[] } {
    const prefixes = this.#handlers.map((handler) => handler.prefix);
    return prefixes.length === 0 || prefixes.length > SUBSCRIBE_PREFIXES_MAX ? {} : { prefixes };
  }

  /** The handler with the longest prefix of `key`. */
  #handlerFor(key: string): FollowHandler | undefined {
    let found: FollowHandler | undefined;
    for (const handler of this.#handlers) {
      if (key.startsWith(handler.prefix) && (found === undefined || handler.prefix.length > found.prefix.length)) found = handler;
    }
    return found;
  }

  /** The subscription ended (history gone, connection lost): rebuild the views from scratch. */
  #onSubscriptionError(error: StoreError): void {
    this.#options.onError(error);
    if (this.#closed) return;
    this.#built = this.#rebuild().catch((rebuildError: unknown) => {
      this.#failure = rebuildError instanceof Error ? rebuildError : new Error(String(rebuildError));
      this.#options.onError(rebuildError);
      throw this.#failure;
    });
    // Reported through onError already; catchUp() callers still see the rejection.
    this.#built.catch(() => undefined);
  }

  /**
   * Builds the views again; an attempt that fails because the backend is out of reach (the server
   * died again while the views were being rebuilt) is reported and tried again once the backend may
   * be back, rather than leaving the views stale for good. `catchUp()` waits meanwhile.
   */
  async #rebuild(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      // From here on, events and errors of the ended subscription (or of the attempt before) are ignored.
      const generation = ++this.#generation;
      for (const handler of this.#handlers) handler.reset();
      try {
        await this.#build(generation);
        return;
      } catch (error) {
        // Closed, or this attempt's own subscription ended meanwhile and started a newer rebuild.
        if (this.#superseded(generation)) return;
        if (!REBUILD_RETRY_CODES.has(codeOf(error)) || attempt >= REBUILD_ATTEMPTS_MAX) throw error;
        // Nothing of this attempt may start another rebuild while it waits: its subscription is
        // closed by the next attempt.
        const waiting = ++this.#generation;
        this.#options.onError(error);
        await this.#waitToRetry(attempt);
        if (this.#superseded(waiting)) return;
      }
    }
  }

  /** Still the follower's live subscription (read after an await, when it may have changed). */
  #isCurrent(subscription: Subscription): boolean {
    return subscription === this.#subscription && !this.#closed;
  }

  /** A build of this generation is no longer wanted: a newer one started, or the follower was closed. */
  #superseded(generation: number): boolean {
    return generation !== this.#generation || this.#closed;
  }

  /** A backoff (50 ms doubling up to 2 s), then, on a backend that reconnects on its own, its next connection. */
  async #waitToRetry(attempt: number): Promise<void> {
    const delayMs = Math.min(REBUILD_DELAY_MS_MAX, REBUILD_DELAY_MS_MIN * 2 ** Math.min(attempt - 1, 16));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      // A rebuild waiting for its backend never keeps a process alive on its own.
      timer.unref();
      this.#wakeRetry = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wakeRetry = undefined;
    if (this.#closed || !isReconnecting(this.#kv)) return;
    // Rejects only if the client gave up or was closed: that ends the views for good.
    await this.#kv.whenConnected().catch((error: unknown) => {
      if (!this.#closed) throw error;
    });
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}
