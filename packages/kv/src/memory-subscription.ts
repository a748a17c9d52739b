import type { ChangeEvent, ChangeListener, Subscription } from "./types.js";

/**
 * One subscriber of the memory store: its own queue of committed events, delivered in seq order
 * from a microtask, one at a time. A listener that writes to the store from inside its call gets
 * that event after the current one returns, never nested inside it.
 */
export class MemorySubscription implements Subscription {
  readonly afterSeq: number;
  readonly #listener: ChangeListener;
  readonly #onEnd: (subscription: MemorySubscription) => void;
  #queue: ChangeEvent[];
  #head = 0;
  #scheduled = false;
  #closed = false;
  #drainedWaiters: Array<() => void> = [];

  constructor(listener: ChangeListener, afterSeq: number, missed: ChangeEvent[], onEnd: (subscription: MemorySubscription) => void) {
    this.afterSeq = afterSeq;
    this.#listener = listener;
    this.#onEnd = onEnd;
    this.#queue = missed;
    this.#schedule();
  }

  push(event: ChangeEvent): void {
    if (this.#closed) return;
    this.#queue.push(event);
    this.#schedule();
  }

  /** Resolves once every event pushed so far has been delivered (or the subscription closed). */
  drained(): Promise<void> {
    if (this.#closed || this.#head === this.#queue.length) return Promise.resolve();
    return new Promise((resolve) => this.#drainedWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#head = 0;
    this.#onEnd(this);
    this.#wakeDrainedWaiters();
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
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    this.#wakeDrainedWaiters();
  }

  #wakeDrainedWaiters(): void {
    if (!this.#closed && this.#head !== this.#queue.length) return;
    const waiters = this.#drainedWaiters;
    this.#drainedWaiters = [];
    for (const wake of waiters) wake();
  }
}
