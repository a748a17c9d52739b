import type { Game } from "@store/game";

/**
 * Draws a game's outcome once and keeps it in the game's state before anything is paid, so that a
 * replayed interaction (Discord's retry, a restart mid-command) settles exactly as the first try
 * would have: the draw is data, not a fresh random number per attempt.
 */
export async function rollOnce(game: Game, gameId: string, draw: () => string): Promise<string> {
  const record = await game.games.update(
    gameId,
    (current) => {
      const state = isRecord(current.state) ? current.state : {};
      return typeof state.roll === "string" ? state : { ...state, roll: draw() };
    },
    { idempotencyKey: `${gameId}:roll` },
  );
  const roll = isRecord(record.state) ? record.state.roll : undefined;
  if (typeof roll !== "string") throw new Error(`Bug: game ${gameId} has no roll after rollOnce().`);
  return roll;
}

type JsonRecord = { readonly [key: string]: unknown };

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
