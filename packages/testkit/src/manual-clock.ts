import type { Clock } from "@store/fs";

/**
 * A `Clock` that moves only when told: `advance` fires each timer due by then, in time order (ties
 * in the order they were set), with the clock at that timer's time, and after each lets the work it
 * started run for `turnsPerTimer` event-loop turns. Simulation tests control time with it instead
 * of waiting or faking the global timers.
 */
export class ManualClock implements Clock {
  #nowMs: number;
  #timers: { atMs: number; order: number; callback: () => void }[] = [];
  #order = 0;
  #fired = 0;
  readonly #turnsPerTimer: number;

  constructor(startMs: number, options: { readonly turnsPerTimer?: number } = {}) {
    this.#nowMs = startMs;
    this.#turnsPerTimer = options.turnsPerTimer ?? 1;
  }

  now(): number {
    return this.#nowMs;
  }

  /** Timers set and neither fired nor cancelled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Timers fired so far. */
  get fired(): number {
    return this.#fired;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const timer = { atMs: this.#nowMs + delayMs, order: (this.#order += 1), callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((pending) => pending !== timer);
    };
  }

  /** Moves time forward by `ms`, firing each due timer at its time and letting its work settle. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.#nowMs + ms;
    for (;;) {
      const next = this.#timers.filter((timer) => timer.atMs <= targetMs).sort((a, b) => a.atMs - b.atMs || a.order - b.order)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((timer) => timer !== next);
      this.#nowMs = next.atMs;
      this.#fired += 1;
      next.callback();
      for (let turn = 0; turn < this.#turnsPerTimer; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    }
    this.#nowMs = targetMs;
  }
}
