import { GameError } from "./errors.js";
import { show } from "./options.js";
import { emptyStats, type Player, type PlayerStats } from "./records.js";

export type Outcome = "win" | "loss" | "draw";

export interface GameResult {
  /** The game type, for the per-type stats (1 to 64 characters). */
  readonly type: string;
  readonly outcome: Outcome;
  /** Score added; default from the `scoring` option (win 3, draw 1, loss 0). May be negative. */
  readonly score?: number | undefined;
}

export function assertOutcome(outcome: unknown, what = "outcome"): asserts outcome is Outcome {
  if (outcome !== "win" && outcome !== "loss" && outcome !== "draw") throw new TypeError(`${what} must be "win", "loss" or "draw", got ${show(outcome)}.`);
}

export function assertGameType(type: unknown): asserts type is string {
  if (typeof type !== "string" || type.length === 0 || type.length > 64) throw new TypeError(`A game type must be a string of 1 to 64 characters, got ${show(type)}.`);
}

export function assertScore(score: unknown, what = "score"): asserts score is number | undefined {
  if (score !== undefined && (typeof score !== "number" || !Number.isSafeInteger(score))) throw new TypeError(`${what} must be an integer, got ${show(score)}.`);
}

/** The stats after one more game: counters, score, the win streak (ended by a loss or a draw), per type. */
export function applyResult(stats: PlayerStats, type: string, outcome: Outcome, score: number): PlayerStats {
  const streak = outcome === "win" ? stats.streak + 1 : 0;
  const byType = stats.byType[type] ?? { games: 0, wins: 0, losses: 0, draws: 0, score: 0 };
  const next = {
    games: stats.games + 1,
    wins: stats.wins + (outcome === "win" ? 1 : 0),
    losses: stats.losses + (outcome === "loss" ? 1 : 0),
    draws: stats.draws + (outcome === "draw" ? 1 : 0),
    score: stats.score + score,
    streak,
    bestStreak: Math.max(stats.bestStreak, streak),
    byType: {
      ...stats.byType,
      [type]: {
        games: byType.games + 1,
        wins: byType.wins + (outcome === "win" ? 1 : 0),
        losses: byType.losses + (outcome === "loss" ? 1 : 0),
        draws: byType.draws + (outcome === "draw" ? 1 : 0),
        score: byType.score + score,
      },
    },
  };
  if (!Number.isSafeInteger(next.score) || !Number.isSafeInteger(next.games)) {
    throw new GameError("GAME_INVALID", `A score of ${stats.score} + ${score} passes the safe integer range.`);
  }
  return next;
}

/** A new player record; the display name defaults to the id (a game can involve a player before they set one). */
export function newPlayer(id: string, name: string | undefined, nowMs: number): Player {
  return { v: 2, id, name: name ?? id, createdAtMs: nowMs, stats: emptyStats() };
}
