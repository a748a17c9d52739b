/** A view whose last write failed, and when the background will try it again. */
export interface FailingView {
  readonly file: string;
  /** Consecutive failed writes of this view. */
  readonly failures: number;
  /** The last one's error. */
  readonly error: unknown;
  /** When the next background attempt is due, ms since the epoch. `flush()` and `close()` do not wait for it. */
  readonly retryAtMs: number;
}

export interface Backoff {
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
}

/**
 * Per-view failure bookkeeping: a view that fails is retried after `backoffInitialMs`, doubling per
 * consecutive failure up to `backoffMaxMs`, while the other views go on being written on time; a
 * success clears it. Pure bookkeeping: the caller passes the time.
 */
export class ViewFailures {
  readonly #backoff: Backoff;
  readonly #failing = new Map<string, FailingView>();

  constructor(backoff: Backoff) {
    this.#backoff = backoff;
  }

  get list(): readonly FailingView[] {
    return [...this.#failing.values()];
  }

  failed(file: string, error: unknown, nowMs: number): void {
    const failures = (this.#failing.get(file)?.failures ?? 0) + 1;
    const exponent = Math.min(failures - 1, 52);
    const delayMs = Math.min(this.#backoff.backoffMaxMs, this.#backoff.backoffInitialMs * 2 ** exponent);
    this.#failing.set(file, { file, failures, error, retryAtMs: nowMs + delayMs });
  }

  succeeded(file: string): void {
    this.#failing.delete(file);
  }

  /** True unless the view failed and its retry is not due yet. */
  isDue(file: string, nowMs: number): boolean {
    const failing = this.#failing.get(file);
    return failing === undefined || failing.retryAtMs <= nowMs;
  }

  /** When the earliest of `files` is due: `nowMs` if any is due now. */
  dueAtMs(files: Iterable<string>, nowMs: number): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const file of files) earliest = Math.min(earliest, this.#failing.get(file)?.retryAtMs ?? nowMs);
    return Math.max(earliest, nowMs);
  }
}
