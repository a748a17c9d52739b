import { createHash, randomInt } from "node:crypto";

/** Where coin flips and duel winners come from. */
export interface Random {
  /** A fair coin: true or false. `key` names the draw (a game id), so a seeded source repeats it exactly. */
  coin(key: string): boolean;
}

/**
 * Without a seed: the operating system's randomness. With one: a hash of seed and key, so a run
 * can be replayed draw for draw (the tests compare a crashed-and-replayed session with a clean
 * one). Never seed a real bot: anyone who knows the seed knows every outcome.
 */
export function createRandom(seed?: string): Random {
  if (seed === undefined) return { coin: () => randomInt(2) === 1 };
  return { coin: (key) => (createHash("sha256").update(`${seed}\n${key}`).digest()[0]! & 1) === 1 };
}
