import type { Game } from "@store/game";
import type { BotUser } from "../interaction.js";

/**
 * Records the player's display name before they play (a settlement creates a missing player named
 * by id: a Discord snowflake on the leaderboard). Idempotent by nature: an unchanged name writes
 * nothing, so it needs no idempotency key.
 */
export async function rememberName(game: Game, user: BotUser): Promise<void> {
  const known = await game.players.get(user.id);
  if (known?.name !== user.name) await game.players.upsert(user.id, { name: user.name });
}
