/** Old-design documents as a real bot left them: mixed shapes, as the importer must read them. */
export interface LegacyFiles {
  readonly players: Record<string, unknown>;
  readonly tokens: Record<string, unknown>;
  readonly gameStates: Record<string, unknown>;
}

/** A deterministic pseudo-random sequence (mulberry32), so the files are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function snowflake(n: number): string {
  return String(300_000_000_000_000_000n + BigInt(n) * 7_919n);
}

/**
 * `playerCount` players (half with nested `stats`, half with flat counters and `username`), a
 * token entry for most (numbers or `{ balance, lastDaily }` with ISO dates), and one game in
 * progress per 100 players (a `bet` every player staked, or a `stakes` object).
 */
export function legacyFiles(playerCount: number, seed = 1): LegacyFiles {
  const next = random(seed);
  const int = (max: number): number => Math.floor(next() * max);
  const players: Record<string, unknown> = {};
  const tokens: Record<string, unknown> = {};
  const gameStates: Record<string, unknown> = {};
  for (let n = 0; n < playerCount; n += 1) {
    const id = snowflake(n);
    const wins = int(50);
    const losses = int(50);
    if (n % 2 === 0) {
      players[id] = { id, name: `Player ${n}`, joinedAt: new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString(), stats: { wins, losses, draws: int(5), gamesPlayed: wins + losses + 10, score: wins * 3, winStreak: int(4), bestStreak: 4 + int(4) } };
    } else {
      players[id] = { username: `user_${n}`, wins, losses, points: wins * 2 - losses, avatar: `https://cdn.example/${n}.png` };
    }
    if (n % 10 === 9) continue;
    tokens[id] = n % 3 === 0 ? int(5000) : { balance: int(5000), lastDaily: n % 2 === 0 ? new Date(Date.UTC(2026, 9, 1) + n).toISOString() : null };
  }
  for (let g = 0; g * 100 < playerCount; g += 1) {
    const a = snowflake(g * 100);
    const b = snowflake(g * 100 + 1);
    gameStates[`game-${g}`] = g % 2 === 0 ? { type: "duel", players: [a, b], bet: 10, channel: `chan-${g % 7}`, board: [0, 1, 2], turn: a } : { type: "coinflip", players: [a], stakes: { [a]: 25 }, startedAt: Date.UTC(2026, 9, 30) };
  }
  return { players, tokens, gameStates };
}
