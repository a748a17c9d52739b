/** Thrown by every operation of a simulated disk once its power is cut. */
export class PowerCutError extends Error {
  readonly code = "EPOWERCUT";

  constructor(operationIndex: number) {
    super(
      `The simulated disk lost power at operation ${operationIndex}; nothing of this or any later ` +
        `operation applies. Call crash(rng) to get the disk as it comes back.`,
    );
    this.name = "PowerCutError";
  }
}

/**
 * True if `error`, or any error in its `cause` chain, is a PowerCutError: code under test may wrap
 * the failure (for example in a STORE_IO error), and a harness must still tell a cut from a bug.
 */
export function isPowerCut(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    if (current instanceof PowerCutError) return true;
    seen.add(current);
    current = current.cause;
  }
  return false;
}
