import {
  backoffDelayMs,
  decideTrigger,
  resolvePolicy,
  type CompactionPolicy,
  type CompactionStats,
  type CompactionTrigger,
  type ResolvedPolicy,
} from "./policy.js";

/** Anything that can report its size and compact itself; `@store/log`'s store is one. */
export interface CompactionTarget {
  stats(): CompactionStats | Promise<CompactionStats>;
  compact(): Promise<unknown>;
}

/** One compaction, successful or not: what a metrics exporter or a log line needs. */
export interface CompactionRun {
  readonly trigger: CompactionTrigger;
  /** When the compaction started, ms since the epoch. */
  readonly startedAtMs: number;
  readonly durationMs: number;
  /** Total bytes before, from `stats()`. */
  readonly bytesBefore: number;
  /** Total bytes after, from `stats()`; `null` when the compaction failed or `stats()` threw. */
  readonly bytesAfter: number | null;
  /** Set when the compaction failed. */
  readonly error?: unknown;
}

export interface SchedulerOptions extends CompactionPolicy {
  /** Called with every run, including failed ones. More listeners: `subscribe`. */
  readonly onRun?: (run: CompactionRun) => void;
  /**
   * Called with every failure: a failed compaction (which is also a run with `error`), a failed
   * policy check (`stats()` threw), a listener that threw. Default: `process.emitWarning`, so a
   * failure is never silent.
   */
  readonly onError?: (error: unknown) => void;
}

export interface CompactionScheduler {
  /** Compacts now unless a compaction is running, in which case it waits for that one. */
  runNow(): Promise<CompactionRun>;
  /** Adds a run listener; returns the function that removes it. */
  subscribe(listener: (run: CompactionRun) => void): () => void;
  /** Stops checking and waits for a running compaction to finish. Idempotent. */
  stop(): Promise<void>;
  /** Consecutive failures so far (0 after a success). */
  readonly failures: number;
  /** The last error seen (a failed compaction or a failed check), or `undefined`. */
  readonly lastError: unknown;
  readonly running: boolean;
}

/** Thrown by `runNow()` after `stop()`. */
export class SchedulerStoppedError extends Error {
  readonly code = "STORE_CLOSED";
  constructor() {
    super("The compaction scheduler was stopped; create a new one to compact again.");
    this.name = "SchedulerStoppedError";
  }
}

/**
 * Checks `target.stats()` every `checkIntervalMs` and runs `target.compact()` when the policy says
 * so, never two at a time. Timers are unref'd, so the scheduler never keeps a process alive.
 */
export function createCompactionScheduler(target: CompactionTarget, options: SchedulerOptions = {}): CompactionScheduler {
  return new Scheduler(target, options);
}

class Scheduler implements CompactionScheduler {
  readonly #target: CompactionTarget;
  readonly #policy: ResolvedPolicy;
  readonly #listeners = new Set<(run: CompactionRun) => void>();
  readonly #onError: (error: unknown) => void;
  readonly #startedAtMs = Date.now();
  #lastSuccessAtMs = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<CompactionRun> | undefined;
  #stopped: Promise<void> | undefined;
  #failures = 0;
  #lastError: unknown;

  constructor(target: CompactionTarget, options: SchedulerOptions) {
    if (typeof target.stats !== "function" || typeof target.compact !== "function") {
      throw new TypeError("target must have stats() and compact() methods");
    }
    this.#target = target;
    this.#policy = resolvePolicy(options);
    this.#onError = options.onError ?? ((error) => { process.emitWarning(asError(error)); });
    if (options.onRun !== undefined) this.#listeners.add(options.onRun);
    this.#schedule(this.#policy.checkIntervalMs);
  }

  get failures(): number {
    return this.#failures;
  }

  get lastError(): unknown {
    return this.#lastError;
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  subscribe(listener: (run: CompactionRun) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async runNow(): Promise<CompactionRun> {
    if (this.#running !== undefined) return this.#running;
    if (this.#stopped !== undefined) throw new SchedulerStoppedError();
    const stats = await this.#target.stats();
    // A background check may have started a run while stats() was awaited.
    return this.#busy() ?? this.#start("manual", stats);
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      await this.#running;
    })();
    return this.#stopped;
  }

  #busy(): Promise<CompactionRun> | undefined {
    return this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped !== undefined) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#check();
    }, delayMs);
    this.#timer.unref();
  }

  /** One policy check; never rejects, and always leaves exactly one timer (unless stopped). */
  async #check(): Promise<void> {
    let failed = false;
    try {
      if (this.#running === undefined) {
        const stats = await this.#target.stats();
        const sinceMs = Math.max(this.#startedAtMs, this.#lastSuccessAtMs, stats.lastCompactionAtMs ?? Number.NEGATIVE_INFINITY);
        const trigger = decideTrigger(stats, this.#policy, Date.now(), sinceMs);
        if (trigger !== null && this.#busy() === undefined && this.#stopped === undefined) {
          failed = (await this.#start(trigger, stats)).error !== undefined;
        }
      }
    } catch (error) {
      failed = true;
      this.#failures += 1;
      this.#report(error);
    }
    this.#schedule(failed ? backoffDelayMs(this.#failures, this.#policy) : this.#policy.checkIntervalMs);
  }

  #start(trigger: CompactionTrigger, stats: CompactionStats): Promise<CompactionRun> {
    const running = this.#compact(trigger, stats).finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #compact(trigger: CompactionTrigger, before: CompactionStats): Promise<CompactionRun> {
    const startedAtMs = Date.now();
    const base = { trigger, startedAtMs, bytesBefore: before.totalBytes };
    let run: CompactionRun;
    try {
      await this.#target.compact();
      this.#failures = 0;
      this.#lastSuccessAtMs = Date.now();
      run = { ...base, durationMs: Date.now() - startedAtMs, bytesAfter: await this.#bytesAfter() };
    } catch (error) {
      this.#failures += 1;
      this.#report(error);
      run = { ...base, durationMs: Date.now() - startedAtMs, bytesAfter: null, error };
    }
    this.#emit(run);
    return run;
  }

  /** Total bytes after a successful compaction; a stats() failure is reported, not a failed run. */
  async #bytesAfter(): Promise<number | null> {
    try {
      return (await this.#target.stats()).totalBytes;
    } catch (error) {
      this.#report(error);
      return null;
    }
  }

  #emit(run: CompactionRun): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(run);
      } catch (error) {
        // A throwing listener must not stop the others or the scheduler, but must not vanish either.
        this.#report(error);
      }
    }
  }

  #report(error: unknown): void {
    this.#lastError = error;
    try {
      this.#onError(error);
    } catch {
      process.emitWarning(asError(error));
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
