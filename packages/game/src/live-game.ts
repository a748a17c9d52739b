import { GameError } from "./errors.js";
import { gameKey } from "./keys.js";
import { GAME, type GameRecord } from "./records.js";
import { decode } from "./schema.js";
import type { Context, Tx } from "./tx.js";

/** The game, refused if missing or expired (past `expiresAtMs` only the refund may touch it). */
export function liveGame(tx: Tx, id: string): GameRecord {
  const game = tx.game(id);
  if (game === undefined) throw new GameError("GAME_NOT_FOUND", `There is no game ${id} (settled, cancelled, expired, or never created).`, { key: gameKey(id) });
  if (tx.nowMs >= game.expiresAtMs) {
    throw new GameError("GAME_EXPIRED", `Game ${id} expired at ${new Date(game.expiresAtMs).toISOString()}; its stakes are refunded by the expiry sweep.`, { key: gameKey(id), expiresAtMs: game.expiresAtMs });
  }
  return game;
}

/** Raised inside a plan when the game's players differ from the keys read: read the game again. */
export class PlayersChanged extends Error {}

/**
 * Runs an operation whose keys depend on the game's players (a refund, a decided settlement):
 * `run` gets the game as a first read saw it (undefined if there is none), declares its keys from
 * that, and its plan throws `PlayersChanged` if a player joined in between; then it starts again,
 * at most `attemptsMax` times.
 */
export async function withPlayersOf<R>(context: Context, id: string, run: (seen: GameRecord | undefined) => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt += 1) {
    context.assertOpen();
    const entry = await context.kv.get(gameKey(id));
    const seen = entry === undefined ? undefined : decode(GAME, gameKey(id), entry.value);
    try {
      return await run(seen);
    } catch (error) {
      if (!(error instanceof PlayersChanged) || attempt >= context.options.attemptsMax) throw error;
    }
  }
}
