/**
 * A seeded pseudo-random sequence (mulberry32) in [0, 1): every system gets the same operations in
 * the same order, run after run.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An integer in [0, max). */
export function randomInt(random: () => number, max: number): number {
  return Math.floor(random() * max);
}
