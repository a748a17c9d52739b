import { randomUUID } from "node:crypto";
import { GameError } from "./errors.js";
import { gameKey, playerKey, tokensKey } from "./keys.js";
import type { GameRecord } from "./records.js";
import { checkCreate, type PlayRequest } from "./requests.js";
import { applySettlement, checkSettle, type SettleDecision, type SettleResult } from "./settle.js";
import { escrow } from "./stakes.js";
import { assertOptions, type OperationOptions } from "./tokens.js";
import { perform, type Context } from "./tx.js";

/**
 * A one-shot game (a coin flip, a dice roll against the house) in one batch: every stake escrowed,
 * the settlement decided by `decide` from the game as it would be created, the payouts and results
 * written, and nothing left behind but the movements and the stats. The idempotency record keys
 * on the request (players, stakes, type, id), never on the outcome: a repeat after a crash, or a
 * double click, answers the first outcome without calling `decide`.
 */
export async function play(context: Context, request: PlayRequest, decide: SettleDecision, opts: OperationOptions): Promise<SettleResult> {
  const checked = checkCreate(request, context.options.gamePlayersMax, true);
  if (typeof decide !== "function") throw new TypeError(`games.play(request, decide) takes a function of the game that returns its settlement, got ${typeof decide}.`);
  assertOptions(opts);
  const id = checked.id ?? randomUUID();
  const { players } = checked;
  const staking = players.filter((player) => (checked.stakes[player] ?? 0) > 0);
  return perform(context, {
    op: "playGame",
    args: { id: checked.id ?? null, type: checked.type, channelId: checked.channelId, players, stakes: checked.stakes, state: checked.state },
    idempotencyKey: opts.idempotencyKey,
    keys: [gameKey(id), ...players.map(tokensKey), ...players.map(playerKey)],
    plan: (tx) => {
      if (tx.game(id) !== undefined) throw new GameError("GAME_EXISTS", `A game with id ${id} exists already; choose another id.`, { key: gameKey(id) });
      for (const player of staking) escrow(tx, id, player, checked.stakes[player]!, context.options.historyMax);
      const stakes = Object.fromEntries(players.map((player) => [player, checked.stakes[player] ?? 0]));
      // Begins and ends now: it is settled in the batch that creates it.
      const game: GameRecord = { v: 2, id, type: checked.type, channelId: checked.channelId, players: [...players], stakes, joinStake: 0, state: checked.state, createdAtMs: tx.nowMs, updatedAtMs: tx.nowMs, expiresAtMs: tx.nowMs };
      const settlement = checkSettle(decide(structuredClone(game)), `games.play(): what decide returned for game ${id}`);
      const result = applySettlement(tx, game, settlement, context);
      // The stake and the payout moved the same accounts: report each staker's final balance too.
      for (const player of staking) result.balances[player] = tx.account(player).balance;
      return result;
    },
  });
}
