import type { ChangeEvent } from "@store/kv";

/** Records a subscription's events; `waitFor(seq)` resolves once one at or above `seq` arrived (no timer). */
export class EventLog {
  readonly events: ChangeEvent[] = [];
  readonly #waiters: Array<{ seq: number; resolve: () => void }> = [];

  readonly listener = (event: ChangeEvent): void => {
    this.events.push(event);
    for (const waiter of [...this.#waiters]) {
      if (event.seq >= waiter.seq) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  waitFor(seq: number): Promise<void> {
    if (this.events.some((event) => event.seq >= seq)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ seq, resolve }));
  }

  seqs(): number[] {
    return this.events.map((event) => event.seq);
  }
}
