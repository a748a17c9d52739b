import { StoreError, assertClock, assertOptionNames, systemClock, type Clock } from "@store/fs";
import {
  DEFAULT_POLICY,
  backoffDelayMs,
  decideTrigger,
  quote,
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
  /**
   * Where the scheduler reads the time (the age trigger, run timestamps) and sets its check and
   * backoff timers. Default: the system clock. Simulation tests pass a manual one.
   */
  readonly clock?: Clock;
}

export interface CompactionScheduler {
  /** Compacts now unless a compaction is running, in which case it waits for that one. */
  runNow(): Promise<CompactionRun>;
  /** Adds a run listener; returns the function that removes it. */
  subscribe(listener: (run: CompactionRun) => void): () => void;
  /**
   * Stops checking and waits for everything already started: a check in flight, and a compaction
   * (including a `runNow()` still awaiting `stats()`). Nothing starts afterwards. Idempotent.
   */
  stop(): Promise<void>;
  /** Consecutive failures so far (0 after a success). */
  readonly failures: number;
  /** The last error seen (a failed compaction or a failed check), or `undefined`. */
  readonly lastError: unknown;
  /** True from `runNow()` or a check's decision until that compaction's run is reported. */
  readonly running: boolean;
}

/** Thrown by `runNow()` after `stop()`: a `StoreError` with `code` `STORE_CLOSED`. */
export class SchedulerStoppedError extends StoreError {
  constructor() {
    super("STORE_CLOSED", "The compaction scheduler was stopped; create a new one to compact again.");
    this.name = "SchedulerStoppedError";
  }
}

/** Every option `createCompactionScheduler` knows; anything else is a misspelling. */
const OPTION_NAMES: readonly string[] = [...Object.keys(DEFAULT_POLICY), "onRun", "onError", "clock"];

/**
 * Checks `target.stats()` every `checkIntervalMs` and runs `target.compact()` when the policy says
 * so, never two at a time. The system clock's timers are unref'd, so the scheduler never keeps a
 * process alive.
 */
export function createCompactionScheduler(target: CompactionTarget, options: SchedulerOptions = {}): CompactionScheduler {
  return new Scheduler(target, options);
}

class Scheduler implements CompactionScheduler {
  readonly #target: CompactionTarget;
  readonly #policy: ResolvedPolicy;
  readonly #listeners = new Set<(run: CompactionRun) => void>();
  readonly #onError: (error: unknown) => void;
  readonly #clock: Clock;
  readonly #startedAtMs: number;
  #lastSuccessAtMs = Number.NEGATIVE_INFINITY;
  /** Cancels the pending check, if one is set. */
  #cancelTimer: (() => void) | undefined;
  /** A policy check in flight (its stats() and any compaction it started). */
  #checking: Promise<void> | undefined;
  /** A compaction from its start (for runNow: from the call, stats() included) until it is reported. */
  #running: Promise<CompactionRun> | undefined;
  #stopped: Promise<void> | undefined;
  #failures = 0;
  #lastError: unknown;

  constructor(target: CompactionTarget, options: SchedulerOptions) {
    assertTarget(target);
    assertOptions(options);
    this.#target = target;
    this.#policy = resolvePolicy(options);
    this.#clock = options.clock ?? systemClock;
    this.#startedAtMs = this.#clock.now();
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

  runNow(): Promise<CompactionRun> {
    if (this.#running !== undefined) return this.#running;
    if (this.#stopped !== undefined) return Promise.reject(new SchedulerStoppedError());
    // Running from this call on, stats() included: a stop() now waits for this run, and a check
    // that finishes its own stats() meanwhile finds it and starts nothing.
    return this.#start("manual", undefined);
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#cancelTimer?.();
      this.#cancelTimer = undefined;
      // Neither a check nor runNow starts anything once #stopped is set, so this ends.
      while (this.#checking !== undefined || this.#running !== undefined) {
        await this.#checking;
        await this.#running?.catch(() => undefined);
      }
    })();
    return this.#stopped;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped !== undefined) return;
    this.#cancelTimer?.();
    this.#cancelTimer = this.#clock.setTimer(() => {
      this.#cancelTimer = undefined;
      const checking = this.#check().finally(() => {
        if (this.#checking === checking) this.#checking = undefined;
      });
      this.#checking = checking;
    }, delayMs);
  }

  /** One policy check; never rejects, and always leaves exactly one timer (unless stopped). */
  async #check(): Promise<void> {
    let failed = false;
    try {
      if (this.#running === undefined) {
        const stats = await this.#target.stats();
        const sinceMs = Math.max(this.#startedAtMs, this.#lastSuccessAtMs, stats.lastCompactionAtMs ?? Number.NEGATIVE_INFINITY);
        const trigger = decideTrigger(stats, this.#policy, this.#clock.now(), sinceMs);
        // stats() was awaited: runNow() may have started a run, or stop() been called, meanwhile.
        if (trigger !== null && this.#mayStart()) {
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

  /** A method, not inline: the fields change while a check awaits stats(). */
  #mayStart(): boolean {
    return this.#running === undefined && this.#stopped === undefined;
  }

  /** `stats` is what a check already read; a manual run reads its own. */
  #start(trigger: CompactionTrigger, stats: CompactionStats | undefined): Promise<CompactionRun> {
    const running = (async () => this.#compact(trigger, stats ?? (await this.#target.stats())))().finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #compact(trigger: CompactionTrigger, before: CompactionStats): Promise<CompactionRun> {
    const startedAtMs = this.#clock.now();
    const base = { trigger, startedAtMs, bytesBefore: before.totalBytes };
    let run: CompactionRun;
    try {
      await this.#target.compact();
      this.#failures = 0;
      this.#lastSuccessAtMs = this.#clock.now();
      run = { ...base, durationMs: this.#lastSuccessAtMs - startedAtMs, bytesAfter: await this.#bytesAfter() };
    } catch (error) {
      this.#failures += 1;
      this.#report(error);
      run = { ...base, durationMs: this.#clock.now() - startedAtMs, bytesAfter: null, error };
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

function assertTarget(target: unknown): asserts target is CompactionTarget {
  const { stats, compact } = (typeof target === "object" && target !== null ? target : {}) as Partial<Record<keyof CompactionTarget, unknown>>;
  if (typeof stats !== "function" || typeof compact !== "function") {
    throw new TypeError(`createCompactionScheduler: the target must be an object with stats() and compact() methods, got ${quote(target)}`);
  }
}

function assertOptions(options: unknown): asserts options is SchedulerOptions {
  if (typeof options !== "object" || options === null) throw new TypeError(`createCompactionScheduler: options must be an object, got ${quote(options)}`);
  assertOptionNames(options, OPTION_NAMES, "createCompactionScheduler");
  const { clock } = options as { clock?: unknown };
  if (clock !== undefined) assertClock(clock, "createCompactionScheduler: options.clock");
  for (const name of ["onRun", "onError"] as const) {
    const value = (options as Record<string, unknown>)[name];
    if (value !== undefined && typeof value !== "function") {
      throw new TypeError(`createCompactionScheduler: options.${name} must be a function, got ${quote(value)}`);
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
