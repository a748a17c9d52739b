import { StoreError } from "@store/fs";
import { keyMatches, reducePrefixes, type ChangeEvent, type ChangeListener, type ChangeOp, type Subscription } from "@store/kv";

/** What a subscription asks of its client. */
export interface SubscriptionOwner {
  unsubscribe(subscription: RemoteSubscription): Promise<void>;
  caughtUp(subscription: RemoteSubscription): Promise<number>;
}

/**
 * A subscription as the client keeps it across connections. It remembers the last seq delivered,
 * so that after a reconnection the client subscribes again from there: every event once, in order,
 * whatever the connections in between (an event at or below the last seq is dropped, never repeated).
 */
export class RemoteSubscription implements Subscription {
  #afterSeq: number | undefined;
  #lastSeq: number;
  /** The id of this subscription on the current connection (the id of the request that made it there). */
  serverId: number | undefined;
  readonly #owner: SubscriptionOwner;
  readonly #listener: ChangeListener;
  readonly #onError: ((error: StoreError) => void) | undefined;
  /** The prefixes as given, sent to the server (protocol 3), which filters before it sends. */
  readonly prefixes: readonly string[] | undefined;
  /** Checked here too: a server of protocol 1 or 2 sends every event. */
  readonly #matching: readonly string[] | undefined;
  #closed = false;
  /** Why the subscription ended, if by an error: what caughtUp() rejects with after. */
  #failure: StoreError | undefined;
  #waiters: Array<{ seq: number; resolve: () => void }> = [];

  constructor(
    owner: SubscriptionOwner,
    listener: ChangeListener,
    options: { readonly afterSeq: number | undefined; readonly prefixes: readonly string[] | undefined; readonly onError: ((error: StoreError) => void) | undefined },
  ) {
    const { afterSeq, prefixes, onError } = options;
    this.prefixes = prefixes;
    this.#matching = reducePrefixes(prefixes);
    this.#owner = owner;
    this.#listener = listener;
    this.#onError = onError;
    this.#afterSeq = afterSeq;
    this.#lastSeq = afterSeq ?? -1;
  }

  get afterSeq(): number {
    return this.#afterSeq ?? 0;
  }

  /** The seq of the last event delivered (or `afterSeq` before the first). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The server said where delivery starts (the store's seq when no afterSeq was given). */
  started(afterSeq: number): void {
    this.#afterSeq ??= afterSeq;
    this.#lastSeq = Math.max(this.#lastSeq, afterSeq);
  }

  /** Every change up to `seq` was delivered or skipped by the server's filter (a caughtUp answer). */
  passed(seq: number): void {
    this.#lastSeq = Math.max(this.#lastSeq, seq);
  }

  /** Why it ended, if it did: `STORE_CLOSED`, or the error that ended it. */
  get endError(): StoreError | undefined {
    if (!this.#closed) return undefined;
    return this.#failure ?? new StoreError("STORE_CLOSED", "caughtUp() was called on a closed subscription (closed by its close() or the client's). Subscribe again.");
  }

  deliver(seq: number, ops: readonly ChangeOp[]): void {
    if (this.#closed || seq <= this.#lastSeq) return;
    this.#lastSeq = seq;
    const matching = this.#matching;
    const kept = matching === undefined || ops.every((op) => keyMatches(op.key, matching)) ? ops : ops.filter((op) => keyMatches(op.key, matching));
    if (kept.length === 0) {
      this.#wake();
      return;
    }
    const event: ChangeEvent = { seq, ops: kept };
    try {
      this.#listener(event);
    } catch (error) {
      // A listener's bug must not stop delivery to it or to others: surface it like an uncaught error.
      queueMicrotask(() => {
        throw error;
      });
    }
    this.#wake();
  }

  /** The subscription ended by an error (history gone, the client gave up): `onError`, and no event after. */
  fail(error: StoreError<string>): void {
    if (this.#closed) return;
    this.end();
    this.#failure = error as StoreError;
    if (this.#onError === undefined) {
      queueMicrotask(() => {
        throw error;
      });
      return;
    }
    try {
      // The contract types onError's error by the contract's codes; a remote one may add its own.
      this.#onError(error as StoreError);
    } catch (hookError) {
      queueMicrotask(() => {
        throw hookError;
      });
    }
  }

  /** Stops delivery at once, silently. */
  end(): void {
    this.#closed = true;
    this.serverId = undefined;
    this.#wake(true);
  }

  /** Resolves once an event at or above `seq` was delivered, or the subscription ended, or `release()` was called. */
  waitFor(seq: number): Promise<void> {
    if (this.#closed || this.#lastSeq >= seq) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ seq, resolve }));
  }

  /** Wakes every `waitFor` (the connection was lost while the client closes). */
  release(): void {
    this.#wake(true);
  }

  caughtUp(): Promise<number> {
    return this.#owner.caughtUp(this);
  }

  close(): Promise<void> {
    return this.#owner.unsubscribe(this);
  }

  #wake(all = false): void {
    if (this.#waiters.length === 0) return;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (all || this.#lastSeq >= waiter.seq) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }
}
