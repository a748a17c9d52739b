import { move } from "./ledger.js";
import type { Tx } from "./tx.js";

/** Takes `stake` from the player's balance into a game's escrow (a `stake` movement); refuses with GAME_INSUFFICIENT_FUNDS. */
export function escrow(tx: Tx, gameId: string, playerId: string, stake: number, historyMax: number): void {
  tx.setAccount(move(tx.account(playerId), -stake, { kind: "stake", ref: gameId }, tx.nowMs, historyMax));
}
