import { GameError } from "./errors.js";
import { gameKey } from "./keys.js";
import type { GameRecord } from "./records.js";
import type { Tx } from "./tx.js";

/** The game, refused if missing or expired (past `expiresAtMs` only the refund may touch it). */
export function liveGame(tx: Tx, id: string): GameRecord {
  const game = tx.game(id);
  if (game === undefined) throw new GameError("GAME_NOT_FOUND", `There is no game ${id} (settled, cancelled, expired, or never created).`, { key: gameKey(id) });
  if (tx.nowMs >= game.expiresAtMs) {
    throw new GameError("GAME_EXPIRED", `Game ${id} expired at ${new Date(game.expiresAtMs).toISOString()}; its stakes are refunded by the expiry sweep.`, { key: gameKey(id), expiresAtMs: game.expiresAtMs });
  }
  return game;
}
