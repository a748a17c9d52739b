import { StoreError } from "@store/fs";
import { filterChangeEvent } from "./change-filter.js";
import type { ChangeEvent, ChangeListener, Subscription } from "./types.js";

/**
 * One subscriber of the memory store: its own queue of committed events, delivered in seq order
 * from a microtask, one at a time. A listener that writes to the store from inside its call gets
 * that event after the current one returns, never nested inside it. Events its `prefixes` skip
 * never enter the queue.
 */
export class MemorySubscription implements Subscription {
  readonly afterSeq: number;
  readonly #listener: ChangeListener;
  readonly #prefixes: readonly string[] | undefined;
  readonly #onEnd: (subscription: MemorySubscription) => void;
  readonly #storeSeq: () => number;
  #queue: ChangeEvent[] = [];
  #head = 0;
  /** Events queued and delivered since the start: `caughtUp()` waits for the first to reach a count. */
  #queuedCount = 0;
  #deliveredCount = 0;
  #scheduled = false;
  #closed = false;
  #drainedWaiters: Array<() => void> = [];
  #caughtUpWaiters: Array<{ readonly count: number; readonly seq: number; readonly resolve: (seq: number) => void; readonly reject: (error: StoreError) => void }> = [];

  constructor(
    listener: ChangeListener,
    afterSeq: number,
    prefixes: readonly string[] | undefined,
    missed: readonly ChangeEvent[],
    hooks: { readonly storeSeq: () => number; readonly onEnd: (subscription: MemorySubscription) => void },
  ) {
    this.afterSeq = afterSeq;
    this.#storeSeq = hooks.storeSeq;
    this.#listener = listener;
    this.#prefixes = prefixes;
    this.#onEnd = hooks.onEnd;
    for (const event of missed) this.push(event);
  }

  push(event: ChangeEvent): void {
    if (this.#closed) return;
    const delivered = filterChangeEvent(event, this.#prefixes);
    if (delivered === undefined) return;
    this.#queue.push(delivered);
    this.#queuedCount += 1;
    this.#schedule();
  }

  /** Resolves once every event pushed so far has been delivered (or the subscription closed). */
  drained(): Promise<void> {
    if (this.#closed || this.#head === this.#queue.length) return Promise.resolve();
    return new Promise((resolve) => this.#drainedWaiters.push(resolve));
  }

  // The store publishes as it commits: every event up to its seq now is in the queue already.
  caughtUp(): Promise<number> {
    if (this.#closed) return Promise.reject(closedError());
    const seq = Math.max(this.#storeSeq(), this.afterSeq);
    if (this.#deliveredCount === this.#queuedCount) return Promise.resolve(seq);
    return new Promise((resolve, reject) => this.#caughtUpWaiters.push({ count: this.#queuedCount, seq, resolve, reject }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#head = 0;
    this.#onEnd(this);
    this.#wakeDrainedWaiters();
    const waiters = this.#caughtUpWaiters;
    this.#caughtUpWaiters = [];
    for (const waiter of waiters) waiter.reject(closedError());
  }

  #schedule(): void {
    if (this.#scheduled || this.#head === this.#queue.length) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#deliver();
    });
  }

  #deliver(): void {
    this.#scheduled = false;
    while (!this.#closed && this.#head < this.#queue.length) {
      const event = this.#queue[this.#head]!;
      this.#head += 1;
      try {
        this.#listener(event);
      } catch (error) {
        // A listener's bug must not stop the writes or the other subscribers: surface it like an
        // uncaught error, and keep delivering to this listener too.
        queueMicrotask(() => {
          throw error;
        });
      }
      this.#deliveredCount += 1;
      this.#wakeCaughtUpWaiters();
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    this.#wakeDrainedWaiters();
  }

  #wakeCaughtUpWaiters(): void {
    if (this.#caughtUpWaiters.length === 0) return;
    const waiting = this.#caughtUpWaiters;
    this.#caughtUpWaiters = [];
    for (const waiter of waiting) {
      if (waiter.count <= this.#deliveredCount) waiter.resolve(waiter.seq);
      else this.#caughtUpWaiters.push(waiter);
    }
  }

  #wakeDrainedWaiters(): void {
    if (!this.#closed && this.#head !== this.#queue.length) return;
    const waiters = this.#drainedWaiters;
    this.#drainedWaiters = [];
    for (const wake of waiters) wake();
  }
}

function closedError(): StoreError {
  return new StoreError("STORE_CLOSED", "caughtUp() was called on a closed subscription (closed by its close() or the store's). Subscribe again.");
}
