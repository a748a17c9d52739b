import type { ConnectionChange } from "../src/index.js";

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
