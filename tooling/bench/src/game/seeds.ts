import { randomInt, seededRandom } from "../random.js";
import { playerId, type PlayerSeed } from "./system.js";

export interface SeedOptions {
  readonly seed: number;
  /** Random past results (wins, losses, draws, the score they earned) rather than none. */
  readonly withHistory: boolean;
  /** Every player's starting balance, or a random one from 1,000 to 4,999. */
  readonly balance: number | "random";
}

/** `count` players, the same on every run and for every system. */
export function seedPlayers(count: number, options: SeedOptions): PlayerSeed[] {
  const random = seededRandom(options.seed);
  const players: PlayerSeed[] = [];
  for (let index = 0; index < count; index++) {
    const wins = options.withHistory ? randomInt(random, 500) : 0;
    const losses = options.withHistory ? randomInt(random, 500) : 0;
    const draws = options.withHistory ? randomInt(random, 20) : 0;
    players.push({
      id: playerId(index),
      name: `Player ${index}`,
      createdAtMs: 1_735_689_600_000 + index * 60_000,
      wins,
      losses,
      draws,
      // The default scoring of @store/game: 3 per win, 1 per draw.
      score: wins * 3 + draws,
      balance: options.balance === "random" ? 1_000 + randomInt(random, 4_000) : options.balance,
    });
  }
  return players;
}

/** Tokens held by these players in all. */
export function tokensOf(players: readonly PlayerSeed[]): number {
  return players.reduce((sum, player) => sum + player.balance, 0);
}
