import { cpus, loadavg } from "node:os";

/** What else the machine was doing: its load averages and how many CPUs share that load. */
export interface LoadSample {
  /** The 1, 5 and 15-minute load averages (`os.loadavg()`). */
  readonly loadAverage: readonly [oneMinute: number, fiveMinutes: number, fifteenMinutes: number];
  readonly cpus: number;
}

/** The load over a stretch of the bench (the whole run, or one workload). */
export interface LoadReport {
  readonly start: LoadSample;
  readonly end: LoadSample;
  /** The highest 1-minute load average seen at the start, between steps and at the end. */
  readonly oneMinuteMax: number;
  /**
   * True when that exceeded the CPU count: processes waited for a CPU, so every figure measured
   * meanwhile includes time spent waiting for other work, in amounts that differ from run to run.
   */
  readonly busy: boolean;
}

export function sampleLoad(): LoadSample {
  const [oneMinute = 0, fiveMinutes = 0, fifteenMinutes = 0] = loadavg();
  return { loadAverage: [oneMinute, fiveMinutes, fifteenMinutes], cpus: cpus().length };
}

/** More runnable processes on average than CPUs to run them. */
export function isBusy(sample: LoadSample): boolean {
  return sample.loadAverage[0] > sample.cpus;
}

/**
 * Samples the load when made, on each `sample()` (the runner calls it after every step) and at
 * `finish()`. The 1-minute average is the kernel's smoothed count, updated every 5 s: samples a
 * step apart see a busy stretch of a few seconds or more.
 */
export class LoadWatch {
  readonly #sample: () => LoadSample;
  readonly #start: LoadSample;
  #oneMinuteMax: number;
  #busy: boolean;

  constructor(sample: () => LoadSample = sampleLoad) {
    this.#sample = sample;
    this.#start = sample();
    this.#oneMinuteMax = this.#start.loadAverage[0];
    this.#busy = isBusy(this.#start);
  }

  /** Takes a sample; returns it. */
  sample(): LoadSample {
    const sample = this.#sample();
    this.#oneMinuteMax = Math.max(this.#oneMinuteMax, sample.loadAverage[0]);
    this.#busy ||= isBusy(sample);
    return sample;
  }

  finish(): LoadReport {
    const end = this.sample();
    return { start: this.#start, end, oneMinuteMax: this.#oneMinuteMax, busy: this.#busy };
  }
}

function formatSample(sample: LoadSample): string {
  return sample.loadAverage.map((value) => value.toFixed(2)).join(", ");
}

/** One line: `load average (1, 5, 15 min) 0.81, 1.26, 0.77 at the start, 3.10, 1.90, 1.02 at the end; 2 CPUs`. */
export function formatLoad(load: LoadReport): string {
  return `load average (1, 5, 15 min) ${formatSample(load.start)} at the start, ${formatSample(load.end)} at the end; ${load.end.cpus} CPUs`;
}

/** The warning a busy stretch gets, or null when the machine had a CPU for every runnable process. */
export function busyWarning(load: LoadReport): string | null {
  if (!load.busy) return null;
  return `WARNING: figures are unreliable: the machine was busy (1-minute load average up to ${load.oneMinuteMax.toFixed(2)} on ${load.end.cpus} CPUs)`;
}
