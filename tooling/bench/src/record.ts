/** A player record as the game bot stores it: about 200 bytes of JSON. */
export type Player = {
  id: string;
  name: string;
  level: number;
  xp: number;
  tokens: number;
  wins: number;
  losses: number;
  guild: string;
  lastSeenMs: number;
  flags: string[];
};

export type Entry = readonly [key: string, value: Player];

/** Deterministic, so every system stores the same bytes for the same (key, version). */
export function player(index: number, version: number): Player {
  return {
    id: `player:${index}`,
    name: `Player Number ${index} of the Benchmark Guild`,
    level: (index + version) % 100,
    xp: index * 1_000 + version,
    tokens: (index * 7 + version * 13) % 100_000,
    wins: version,
    losses: index % 50,
    guild: `guild-${index % 64}`,
    lastSeenMs: 1_700_000_000_000 + version,
    flags: ["verified", "beta"],
  };
}

export function playerKey(index: number): string {
  return `player:${index}`;
}

/** `keys` distinct players, then `updates` more writes cycling over them: keys + updates records. */
export function* entries(keys: number, updates: number): Generator<Entry> {
  for (let index = 0; index < keys; index++) yield [playerKey(index), player(index, 0)];
  for (let n = 0; n < updates; n++) {
    const index = n % keys;
    yield [playerKey(index), player(index, 1 + Math.floor(n / keys))];
  }
}
