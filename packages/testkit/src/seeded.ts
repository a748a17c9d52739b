import { Rng } from "./rng.js";

/** A failure inside a seeded run; the message names the seed that replays it. */
export class SeededRunError extends Error {
  readonly seed: number;

  constructor(seed: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`seed ${seed} failed (replay with new Rng(${seed})): ${reason}`, { cause });
    this.name = "SeededRunError";
    this.seed = seed;
  }
}

/**
 * Runs `body` with `new Rng(seed)` and, if it throws, rethrows a SeededRunError naming the seed, so
 * that any failure in a loop over thousands of seeds prints the one that replays it.
 */
export async function runWithSeed<T>(seed: number, body: (rng: Rng) => T | Promise<T>): Promise<T> {
  try {
    return await body(new Rng(seed));
  } catch (error) {
    if (error instanceof SeededRunError) throw error;
    throw new SeededRunError(seed, error);
  }
}
