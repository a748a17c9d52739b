import { StoreError, type JsonValue } from "@store/fs";
import { filterChangeEvent, reducePrefixes, type ChangeEvent, type ChangeListener, type ChangeOp, type Subscription } from "@store/kv";
import { deepFreeze } from "./committer.js";
import type { Driver, Row } from "./driver.js";
import { isStatementError, unavailable } from "./errors.js";
import { safeInteger } from "./numbers.js";
import type { ResolvedOptions } from "./options.js";
import type { Statements } from "./sql.js";

/** Changes read from the table per query. */
const CHANGES_PAGE_MAX = 1_000;
/** Most events of this process's own commits held for its subscribers instead of read back from the table. */
const CACHED_EVENTS_MAX = 10_000;

// Delivers committed changes to this store's subscribers, in seq order, each once, none missed.
//
// Seqs are dense and commit in order (see committer.ts), so "the changes after seq p" is complete as
// soon as it is read: a change that commits later has a higher seq. Each subscriber keeps its
// position p and reads what follows it: its own process's commits straight from memory, other
// processes' from the change table. It learns that there is something to read from this process's
// commits and from LISTEN/NOTIFY (every write transaction notifies the schema's channel with its
// last seq, sent at commit). A gap (the next change read is not p + 1) means retention deleted it:
// the subscription ends with STORE_HISTORY_GONE rather than skip it. If the LISTEN connection
// fails, the feed connects again (with backoff) and reads the counter, so that a notification lost
// meanwhile costs nothing; after reconnectAttemptsMax failures the subscriptions end with
// STORE_UNAVAILABLE.
export class ChangeFeed {
  readonly #driver: Driver;
  readonly #sql: Statements;
  readonly #options: ResolvedOptions;
  readonly #subscriptions = new Set<FeedSubscription>();
  readonly #cache = new Map<number, ChangeEvent>();
  readonly #reads = new Map<number, Promise<ChangeEvent[]>>();
  /** The highest seq known to be committed. */
  #known = 0;
  #listening: Promise<void> | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #recovery: Promise<void> | undefined;
  #sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  #closed = false;

  constructor(driver: Driver, sql: Statements, options: ResolvedOptions) {
    this.#driver = driver;
    this.#sql = sql;
    this.#options = options;
  }

  get known(): number {
    return this.#known;
  }

  /** This process committed up to `lastSeq`; `events` makes that commit's events. */
  committed(lastSeq: number, events: () => ChangeEvent[]): void {
    const lowest = this.#lowestPosition();
    if (lowest !== undefined && lowest < lastSeq && this.#cache.size < CACHED_EVENTS_MAX) {
      for (const event of events()) if (event.seq > lowest) this.#cache.set(event.seq, event);
    }
    this.#advance(lastSeq);
  }

  async subscribe(
    listener: ChangeListener,
    options: { readonly afterSeq: number | undefined; readonly prefixes: readonly string[] | undefined; readonly onError: ((error: StoreError) => void) | undefined },
  ): Promise<Subscription> {
    const { afterSeq, prefixes, onError } = options;
    // LISTEN first, then read the counter: a commit after that read is notified, one before it is counted.
    await this.#listen();
    const [row] = await this.#query(this.#sql.counter, []);
    const seq = safeInteger(row?.["seq"], "counter.seq");
    const floor = safeInteger(row?.["history_floor"], "counter.history_floor");
    this.#advance(seq);
    const start = afterSeq ?? seq;
    if (start < floor) throw historyGone(start, floor);
    const subscription = new FeedSubscription(this, listener, start, reducePrefixes(prefixes), onError);
    this.#subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  /** The seq of the last committed write, read from the counter now (what `stats().seq` says). */
  async committedSeq(): Promise<number> {
    const [row] = await this.#query(this.#sql.counter, []);
    const seq = safeInteger(row?.["seq"], "counter.seq");
    this.#advance(seq);
    return seq;
  }

  /** The events after `position`: from this process's commits if it has them, else from the table. */
  read(position: number): Promise<ChangeEvent[]> {
    const cached: ChangeEvent[] = [];
    for (let seq = position + 1; this.#cache.has(seq); seq += 1) cached.push(this.#cache.get(seq)!);
    if (cached.length > 0) return Promise.resolve(cached);
    // Subscribers at the same position share one query.
    let reading = this.#reads.get(position);
    if (reading === undefined) {
      reading = this.#readTable(position).finally(() => this.#reads.delete(position));
      this.#reads.set(position, reading);
    }
    return reading;
  }

  /** A subscription moved on: drop the cached events every subscription has passed. */
  moved(): void {
    const lowest = this.#lowestPosition();
    for (const seq of this.#cache.keys()) if (lowest === undefined || seq <= lowest) this.#cache.delete(seq);
  }

  ended(subscription: FeedSubscription): void {
    this.#subscriptions.delete(subscription);
    this.moved();
  }

  /**
   * A read failed: reconnect (LISTEN again and read the counter), with backoff. Resolves once the
   * server answers again; rejects with STORE_UNAVAILABLE after reconnectAttemptsMax failures.
   */
  recover(cause: unknown): Promise<void> {
    if (this.#closed) return Promise.reject(unavailable("Reading changes", this.#driver.where, cause));
    this.#recovery ??= this.#reconnect(cause).finally(() => (this.#recovery = undefined));
    return this.#recovery;
  }

  /** Delivers everything known to be committed, then ends every subscription and the LISTEN. */
  async close(): Promise<void> {
    const target = this.#known;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.reached(target)));
    this.#closed = true;
    if (this.#sleeping !== undefined) {
      clearTimeout(this.#sleeping.timer);
      this.#sleeping.wake();
    }
    for (const subscription of [...this.#subscriptions]) await subscription.close();
    await this.#recovery?.catch(() => undefined);
    const unlisten = this.#unlisten;
    this.#unlisten = undefined;
    await unlisten?.().catch(() => undefined);
  }

  #advance(seq: number): void {
    if (seq <= this.#known) return;
    this.#known = seq;
    for (const subscription of this.#subscriptions) subscription.wake();
  }

  #lowestPosition(): number | undefined {
    let lowest: number | undefined;
    for (const subscription of this.#subscriptions) if (lowest === undefined || subscription.position < lowest) lowest = subscription.position;
    return lowest;
  }

  async #readTable(position: number): Promise<ChangeEvent[]> {
    const rows = await this.#query(this.#sql.changesAfter, [position, CHANGES_PAGE_MAX]);
    const events = rows.map(eventOf);
    if (events.length > 0) this.#advance(events[events.length - 1]!.seq);
    return events;
  }

  async #query(statement: Parameters<Driver["query"]>[0], params: unknown[]): Promise<Row[]> {
    try {
      return await this.#driver.query(statement, params);
    } catch (error) {
      throw unavailable("Reading changes", this.#driver.where, error);
    }
  }

  #listen(): Promise<void> {
    this.#listening ??= this.#driver
      .listen(
        this.#sql.schema,
        (payload) => {
          const seq = Number(payload);
          if (Number.isSafeInteger(seq)) this.#advance(seq);
        },
        (error) => {
          this.#listening = undefined;
          this.#unlisten = undefined;
          // Commits of other processes no longer wake this one: reconnect and catch up.
          this.recover(error).catch(() => undefined);
        },
      )
      .then(
        (unlisten) => {
          if (this.#closed) return unlisten();
          this.#unlisten = unlisten;
        },
        (error: unknown) => {
          this.#listening = undefined;
          throw unavailable("Subscribing (LISTEN)", this.#driver.where, error);
        },
      );
    return this.#listening;
  }

  async #reconnect(cause: unknown): Promise<void> {
    let last = cause;
    for (let attempt = 0; attempt <= this.#options.reconnectAttemptsMax; attempt += 1) {
      if (attempt > 0) await this.#sleep(Math.min(this.#options.reconnectDelayMsMax, 50 * 2 ** (attempt - 1)));
      if (this.#closed) break;
      try {
        await this.#listen();
        const [row] = await this.#query(this.#sql.counter, []);
        this.#advance(safeInteger(row?.["seq"], "counter.seq"));
        return;
      } catch (error) {
        last = error instanceof StoreError && error.cause !== undefined ? error.cause : error;
        if (isStatementError(last)) break;
      }
    }
    const error = unavailable("Following changes", this.#driver.where, last);
    for (const subscription of [...this.#subscriptions]) subscription.fail(error);
    throw error;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#sleeping = undefined;
        resolve();
      }, ms);
      this.#sleeping = { timer, wake: resolve };
    });
  }
}

export function historyGone(afterSeq: number, floor: number): StoreError {
  return new StoreError(
    "STORE_HISTORY_GONE",
    `Cannot resume after seq ${afterSeq}: the change table keeps changes after seq ${floor} only (changeHistoryMax, changeHistoryAgeMsMax). Read the state again (scanAll), then subscribe from stats().seq.`,
  );
}

function eventOf(row: Row): ChangeEvent {
  const seq = safeInteger(row["seq"], "changes.seq");
  const ops = JSON.parse(row["ops"] as string) as Array<{ type: "set" | "delete"; key: string; value?: JsonValue }>;
  const changeOps: ChangeOp[] = ops.map((op) => (op.type === "set" ? { type: "set", key: op.key, value: op.value ?? null } : { type: "delete", key: op.key }));
  return deepFreeze({ seq, ops: changeOps });
}

/**
 * One subscriber: its position, and a loop that reads what follows it and calls the listener.
 * Its prefixes are applied here, after the read: the read is shared by every subscription at a
 * position (and this process's own commits are not read at all), its position moves over skipped
 * changes as over delivered ones, and a gap (retention) is still seen. Filtering in SQL would
 * cost a query per subscription and the server's JSON work for each.
 */
class FeedSubscription implements Subscription {
  readonly afterSeq: number;
  readonly #feed: ChangeFeed;
  readonly #listener: ChangeListener;
  readonly #prefixes: readonly string[] | undefined;
  readonly #onError: ((error: StoreError) => void) | undefined;
  #position: number;
  #ended = false;
  /** The error that ended it, if one did. */
  #failure: StoreError | undefined;
  #wake: (() => void) | undefined;
  #reachedWaiters: Array<{ seq: number; resolve: () => void }> = [];

  constructor(feed: ChangeFeed, listener: ChangeListener, afterSeq: number, prefixes: readonly string[] | undefined, onError: ((error: StoreError) => void) | undefined) {
    this.#feed = feed;
    this.#listener = listener;
    this.#prefixes = prefixes;
    this.afterSeq = afterSeq;
    this.#position = afterSeq;
    this.#onError = onError;
  }

  get position(): number {
    return this.#position;
  }

  start(): void {
    void this.#run();
  }

  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Resolves once every event up to `seq` was delivered, or the subscription ended. */
  reached(seq: number): Promise<void> {
    if (this.#ended || this.#position >= seq) return Promise.resolve();
    return new Promise((resolve) => this.#reachedWaiters.push({ seq, resolve }));
  }

  async caughtUp(): Promise<number> {
    this.#assertNotEnded();
    const seq = await this.#feed.committedSeq();
    await this.reached(seq);
    if (this.#position < seq) this.#assertNotEnded();
    return Math.max(seq, this.#position);
  }

  async close(): Promise<void> {
    this.#end();
  }

  /** Ends the subscription by an error: onError hears of it (or it is rethrown asynchronously). */
  fail(error: StoreError): void {
    if (this.#ended) return;
    this.#failure = error;
    this.#end();
    if (this.#onError === undefined) {
      queueMicrotask(() => {
        throw error;
      });
      return;
    }
    const onError = this.#onError;
    queueMicrotask(() => {
      onError(error);
    });
  }

  #isEnded(): boolean {
    return this.#ended;
  }

  #assertNotEnded(): void {
    if (!this.#ended) return;
    throw this.#failure ?? new StoreError("STORE_CLOSED", "caughtUp() was called on a closed subscription (closed by its close() or the store's). Subscribe again.");
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.wake();
    this.#feed.ended(this);
    for (const waiter of this.#reachedWaiters.splice(0)) waiter.resolve();
  }

  async #run(): Promise<void> {
    while (!this.#ended) {
      if (this.#position >= this.#feed.known) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      let events: ChangeEvent[];
      try {
        events = await this.#feed.read(this.#position);
      } catch (error) {
        try {
          await this.#feed.recover(error instanceof StoreError && error.cause !== undefined ? error.cause : error);
        } catch (failure) {
          this.fail(failure instanceof StoreError ? (failure as StoreError) : unavailable("Reading changes", "PostgreSQL", failure));
        }
        continue;
      }
      this.#deliver(events);
    }
  }

  #deliver(events: readonly ChangeEvent[]): void {
    if (this.#ended) return;
    const first = events[0];
    if (first === undefined || first.seq > this.#position + 1) {
      // The next change is not there although a later one committed: retention deleted it.
      this.fail(historyGone(this.#position, first === undefined ? this.#feed.known : first.seq - 1));
      return;
    }
    for (const event of events) {
      // A listener may close its subscription: checked before every call.
      if (this.#isEnded()) return;
      if (event.seq <= this.#position) continue;
      if (event.seq !== this.#position + 1) {
        this.fail(historyGone(this.#position, event.seq - 1));
        return;
      }
      this.#position = event.seq;
      const kept = filterChangeEvent(event, this.#prefixes);
      if (kept === undefined) continue;
      try {
        this.#listener(kept);
      } catch (error) {
        // A listener's bug must not stop the writes or the other subscribers: surface it like an
        // uncaught error, and keep delivering to this listener too.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.#feed.moved();
    if (this.#reachedWaiters.length === 0) return;
    const waiting = this.#reachedWaiters;
    this.#reachedWaiters = [];
    for (const waiter of waiting) {
      if (this.#position >= waiter.seq) waiter.resolve();
      else this.#reachedWaiters.push(waiter);
    }
  }
}
