// Time as a seam, like the file system: code whose behaviour depends on time (a check interval, a
// backoff, an age limit) reads it from a Clock it was given, so a simulation test can run hours of
// policy in a few steps of a manual clock, and a seeded run replays exactly. The folder lock takes
// its `now` the same way.

/** Where time-driven code reads the time and sets its timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Calls `callback` once, after `delayMs` of this clock's time; returns the function that cancels
   * it. A timer of the system clock does not keep the process alive (it is unref'd).
   */
  setTimer(callback: () => void, delayMs: number): () => void;
}

/** The real clock: `Date.now()` and unref'd `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return () => {
      clearTimeout(timer);
    };
  },
};

/** TypeError unless `clock` has the two methods of a Clock; `where` names the option in the message. */
export function assertClock(clock: unknown, where: string): asserts clock is Clock {
  const { now, setTimer } = (typeof clock === "object" && clock !== null ? clock : {}) as Partial<Record<keyof Clock, unknown>>;
  if (typeof now !== "function" || typeof setTimer !== "function") {
    throw new TypeError(`${where} must be a clock: an object with now() and setTimer(callback, delayMs) methods.`);
  }
}
