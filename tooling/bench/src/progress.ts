/** One system's run of one workload: the unit the progress line counts. */
export interface Step {
  readonly workload: string;
  readonly system: string;
  /** 1-based. */
  readonly run: number;
  readonly runs: number;
}

/**
 * How long a step of a workload took on the machine the estimates were measured on: its first run
 * (which may build a dataset that later runs reuse) and each later run.
 */
export interface StepEstimate {
  readonly firstRunMs: number;
  readonly laterRunMs: number;
}

/** Bounds on how much faster or slower than the estimates this machine is taken to be. */
const speedMin = 0.25;
const speedMax = 4;
/** For a workload that has no estimate and before anything has been measured. */
const unknownStepMs = 5_000;

function stepKey(workload: string, system: string): string {
  return `${workload}\u0000${system}`;
}

/** `75_000` -> "1 min 15 s"; `9_000` -> "9 s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1_000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
}

/**
 * Counts the steps of a whole benchmark and estimates the time left. A step that ran before (the
 * same system in the same workload, an earlier run) is expected to take what it took last time;
 * one that has not run yet takes its workload's estimate, scaled by how this machine has compared
 * with the estimates so far. The clock is injected so that tests need no real time.
 */
export class Progress {
  readonly #pending: Step[];
  readonly #total: number;
  readonly #estimates: ReadonlyMap<string, StepEstimate>;
  readonly #now: () => number;
  readonly #startedMs: number;
  /** The last duration measured for each workload and system, and which run it was. */
  readonly #measured = new Map<string, { readonly ms: number; readonly run: number }>();
  #done = 0;
  #dropped = 0;
  #current: { readonly step: Step; readonly startedMs: number; readonly expectedMs: number } | null = null;
  /** Sums over finished steps that were estimated from the table, for the machine's speed. */
  #estimatedMs = 0;
  #actualMs = 0;

  constructor(plan: readonly Step[], estimates: ReadonlyMap<string, StepEstimate>, now: () => number) {
    this.#pending = [...plan];
    this.#total = plan.length;
    this.#estimates = estimates;
    this.#now = now;
    this.#startedMs = now();
  }

  get total(): number {
    return this.#total - this.#dropped;
  }

  get done(): number {
    return this.#done;
  }

  /** Marks `step` as running (it must be the next one planned) and returns the line to print. */
  start(step: Step): string {
    const index = this.#pending.findIndex((candidate) => sameStep(candidate, step));
    if (index !== 0) throw new Error(`bench progress: ${describe(step)} was not the next step planned`);
    this.#pending.shift();
    this.#current = { step, startedMs: this.#now(), expectedMs: this.#expectedMs(step) };
    const percent = Math.floor((this.#done / Math.max(1, this.total)) * 100);
    return (
      `${this.#done + 1}/${this.total} (${percent}%) ${describe(step)}: ` +
      `${formatDuration(this.elapsedMs())} elapsed, about ${formatDuration(this.leftMs())} left`
    );
  }

  finish(step: Step): void {
    const current = this.#current;
    if (current === null || !sameStep(current.step, step)) {
      throw new Error(`bench progress: ${describe(step)} finished but was not running`);
    }
    const tookMs = this.#now() - current.startedMs;
    const key = stepKey(step.workload, step.system);
    if (!this.#measured.has(key) && this.#estimates.has(step.workload)) {
      this.#estimatedMs += this.#tableMs(step);
      this.#actualMs += tookMs;
    }
    this.#measured.set(key, { ms: tookMs, run: step.run });
    this.#current = null;
    this.#done++;
  }

  /** A system failed in a workload: its later runs there are skipped, so they leave the plan. */
  dropRemaining(workload: string, system: string): void {
    for (let index = this.#pending.length - 1; index >= 0; index--) {
      const step = this.#pending[index]!;
      if (step.workload !== workload || step.system !== system) continue;
      this.#pending.splice(index, 1);
      this.#dropped++;
    }
  }

  elapsedMs(): number {
    return this.#now() - this.#startedMs;
  }

  /** Estimated time until every planned step has finished. */
  leftMs(): number {
    const current = this.#current;
    const running = current === null ? 0 : Math.max(0, current.expectedMs - (this.#now() - current.startedMs));
    return this.#pending.reduce((sum, step) => sum + this.#expectedMs(step), running);
  }

  summary(): string {
    return `${this.#done} steps in ${formatDuration(this.elapsedMs())}`;
  }

  #expectedMs(step: Step): number {
    const measured = this.#measured.get(stepKey(step.workload, step.system));
    const estimate = this.#estimates.get(step.workload);
    if (measured !== undefined) {
      // A first run may have built a dataset that later runs reuse: scale it as the table does.
      if (measured.run !== 1 || step.run === 1 || estimate === undefined || estimate.firstRunMs <= 0) return measured.ms;
      return measured.ms * (estimate.laterRunMs / estimate.firstRunMs);
    }
    if (estimate === undefined) return this.#meanMeasuredMs();
    return this.#tableMs(step) * this.#speed();
  }

  #tableMs(step: Step): number {
    const estimate = this.#estimates.get(step.workload);
    if (estimate === undefined) return unknownStepMs;
    return step.run === 1 ? estimate.firstRunMs : estimate.laterRunMs;
  }

  /** Actual over estimated time so far: above 1 when this machine is slower than the table's. */
  #speed(): number {
    if (this.#estimatedMs <= 0) return 1;
    return Math.min(speedMax, Math.max(speedMin, this.#actualMs / this.#estimatedMs));
  }

  #meanMeasuredMs(): number {
    if (this.#measured.size === 0) return unknownStepMs;
    let sum = 0;
    for (const { ms } of this.#measured.values()) sum += ms;
    return sum / this.#measured.size;
  }
}

function sameStep(a: Step, b: Step): boolean {
  return a.workload === b.workload && a.system === b.system && a.run === b.run;
}

function describe(step: Step): string {
  return `${step.workload}: ${step.system}, run ${step.run} of ${step.runs}`;
}
