const UINT32_RANGE = 4_294_967_296;

/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every
 * machine, so a failing run is replayed by its seed alone. Not for cryptography.
 */
export class Rng {
  readonly seed: number;
  #state: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new TypeError(`Rng seed must be a safe integer, got ${String(seed)}`);
    this.seed = seed;
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / UINT32_RANGE;
  }

  /** An integer in 0 .. maxExclusive - 1. */
  int(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive <= 0) {
      throw new TypeError(`Rng.int needs a positive integer bound, got ${String(maxExclusive)}`);
    }
    return Math.floor(this.next() * maxExclusive);
  }

  bool(probabilityTrue = 0.5): boolean {
    if (!(probabilityTrue >= 0 && probabilityTrue <= 1)) {
      throw new TypeError(`Rng.bool needs a probability in [0, 1], got ${String(probabilityTrue)}`);
    }
    return this.next() < probabilityTrue;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new TypeError("Rng.pick needs at least one item, got an empty list");
    return items[this.int(items.length)]!;
  }

  bytes(length: number): Uint8Array {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new TypeError(`Rng.bytes needs a non-negative integer length, got ${String(length)}`);
    }
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 1) out[i] = this.int(256);
    return out;
  }
}
