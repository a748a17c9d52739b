import type { ChangeEvent } from "@store/kv";
import type { ConnectionChange } from "../src/index.js";

/** Records a subscription's events; a test waits for a seq, never for time. */
export class EventLog {
  readonly events: ChangeEvent[] = [];
  #waiters: Array<() => void> = [];

  readonly listener = (event: ChangeEvent): void => {
    this.events.push(event);
    for (const wake of this.#waiters.splice(0)) wake();
  };

  async waitFor(seq: number): Promise<void> {
    while (!this.events.some((event) => event.seq >= seq)) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  seqs(): number[] {
    return this.events.map((event) => event.seq);
  }
}

/** Records connection changes; a test waits for the n-th of a state. */
export class Changes {
  readonly seen: ConnectionChange[] = [];
  #waiters: Array<() => void> = [];

  readonly push = (change: ConnectionChange): void => {
    this.seen.push(change);
    for (const wake of this.#waiters.splice(0)) wake();
  };

  async waitFor(state: ConnectionChange["state"], count = 1): Promise<ConnectionChange> {
    for (;;) {
      const found = this.seen.filter((change) => change.state === state);
      if (found.length >= count) return found[count - 1]!;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}
