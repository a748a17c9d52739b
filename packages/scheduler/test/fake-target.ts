import type { CompactionStats, CompactionTarget } from "../src/index.js";

/**
 * An in-memory target whose stats the test sets, and whose compact() the test can hold open or
 * make fail. It counts calls and the most compactions ever in flight at once.
 */
export class FakeTarget implements CompactionTarget {
  stats_: CompactionStats = { totalBytes: 0, liveBytes: 0, lastCompactionAtMs: null };
  compactCalls = 0;
  compactStartsAtMs: number[] = [];
  inFlight = 0;
  inFlightMax = 0;
  /** Errors to throw from the next compactions, in order. */
  failures: Error[] = [];
  /** When true, compact() waits until `release()`. */
  hold = false;
  #releases: (() => void)[] = [];

  stats(): CompactionStats {
    return this.stats_;
  }

  set(totalBytes: number, liveBytes: number): void {
    this.stats_ = { ...this.stats_, totalBytes, liveBytes };
  }

  async compact(): Promise<void> {
    this.compactCalls += 1;
    this.compactStartsAtMs.push(Date.now());
    this.inFlight += 1;
    this.inFlightMax = Math.max(this.inFlightMax, this.inFlight);
    try {
      if (this.hold) await new Promise<void>((resolve) => this.#releases.push(resolve));
      const failure = this.failures.shift();
      if (failure !== undefined) throw failure;
      this.stats_ = { totalBytes: this.stats_.liveBytes, liveBytes: this.stats_.liveBytes, lastCompactionAtMs: Date.now() };
    } finally {
      this.inFlight -= 1;
    }
  }

  release(): void {
    for (const resolve of this.#releases.splice(0)) resolve();
  }
}

export const MiB = 1024 * 1024;
