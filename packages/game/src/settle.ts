import { GameError } from "./errors.js";
import { liveGame } from "./live-game.js";
import { assertId, gameKey, playerKey, supplyKey, tokensKey } from "./keys.js";
import { assertCount, move } from "./ledger.js";
import { show } from "./options.js";
import { PLAYER, TOKENS } from "./records.js";
import { applyResult, assertOutcome, assertScore, newPlayer, type Outcome } from "./stats.js";
import { assertOptions, type OperationOptions } from "./tokens.js";
import { perform, type Context } from "./tx.js";

export interface SettleRequest {
  /** Every player of the game, and only them, with their outcome. */
  readonly results: Readonly<Record<string, Outcome>>;
  /**
   * Tokens paid to each player (default 0). Their total may differ from the pot (the sum of the
   * stakes): what the pot keeps is counted as spent (the house's cut), what it lacks as granted
   * (the house pays), so conservation holds either way.
   */
  readonly payouts?: Readonly<Record<string, number>> | undefined;
  /** Score added per player, instead of the `scoring` option's value for their outcome. */
  readonly scores?: Readonly<Record<string, number>> | undefined;
}

export type SettleResult = {
  gameId: string;
  type: string;
  pot: number;
  paid: number;
  results: Record<string, Outcome>;
  payouts: Record<string, number>;
  /** The new balance of every player paid something. */
  balances: Record<string, number>;
};

/**
 * One batch: the payouts credited, every player's result added to their stats, the supply
 * counters told of any difference between pot and payouts, and the game deleted. Conditional on
 * every key read, so a settlement and an expiry refund of the same game cannot both happen.
 */
export async function settle(context: Context, id: string, request: SettleRequest, opts: OperationOptions): Promise<SettleResult> {
  assertId(id, "game id");
  const checked = checkSettle(request);
  assertOptions(opts);
  const players = Object.keys(checked.results);
  const paid = Object.values(checked.payouts).reduce((sum, amount) => sum + amount, 0);
  if (!Number.isSafeInteger(paid)) throw new TypeError(`The payouts add up past the safe integer range: ${show(checked.payouts)}.`);
  const { historyMax, scoring } = context.options;
  return perform(context, {
    op: "settleGame",
    args: { id, results: checked.results, payouts: checked.payouts, scores: checked.scores },
    idempotencyKey: opts.idempotencyKey,
    keys: [gameKey(id), ...players.map(playerKey), ...Object.keys(checked.payouts).filter((player) => checked.payouts[player]! > 0).map(tokensKey), supplyKey(id)],
    plan: (tx) => {
      const game = liveGame(tx, id);
      const expected = [...game.players].sort();
      if (expected.join("\n") !== [...players].sort().join("\n")) {
        throw new GameError("GAME_INVALID", `settle() must give a result for exactly the players of game ${id} (${expected.join(", ")}), got ${players.join(", ")}.`, { key: gameKey(id) });
      }
      const pot = game.players.reduce((sum, player) => sum + (game.stakes[player] ?? 0), 0);
      const balances: Record<string, number> = {};
      for (const [player, amount] of Object.entries(checked.payouts)) {
        if (amount === 0) continue;
        const next = move(tx.account(player), amount, { kind: "payout", ref: id }, tx.nowMs, historyMax);
        tx.set(TOKENS, tokensKey(player), next);
        balances[player] = next.balance;
      }
      for (const player of game.players) {
        const outcome = checked.results[player]!;
        const current = tx.player(player) ?? newPlayer(player, undefined, tx.nowMs);
        const score = checked.scores[player] ?? scoring[outcome];
        tx.set(PLAYER, playerKey(player), { ...current, stats: applyResult(current.stats, game.type, outcome, score) });
      }
      tx.addSupply(supplyKey(id), Math.max(0, paid - pot), Math.max(0, pot - paid));
      tx.delete(gameKey(id));
      return { gameId: id, type: game.type, pot, paid, results: { ...checked.results }, payouts: { ...checked.payouts }, balances };
    },
  });
}

function checkSettle(request: SettleRequest): { results: Record<string, Outcome>; payouts: Record<string, number>; scores: Record<string, number> } {
  if (typeof request !== "object" || (request as unknown) === null) throw new TypeError(`settle() takes { results, payouts?, scores? }, got ${show(request)}.`);
  const { results, payouts = {}, scores = {} } = request;
  if (typeof results !== "object" || (results as unknown) === null || Object.keys(results).length === 0) {
    throw new TypeError(`settle() results must map every player of the game to "win", "loss" or "draw", got ${show(results)}.`);
  }
  for (const [player, outcome] of Object.entries(results)) {
    assertId(player, "a player id in results");
    assertOutcome(outcome, `The outcome of ${player}`);
  }
  for (const [player, amount] of Object.entries(payouts)) {
    if (!(player in results)) throw new TypeError(`payouts names ${show(player)}, who has no result (pay only players of the game).`);
    assertCount(amount, `The payout of ${player}`);
  }
  for (const [player, score] of Object.entries(scores)) {
    if (!(player in results)) throw new TypeError(`scores names ${show(player)}, who has no result.`);
    assertScore(score, `The score of ${player}`);
  }
  return { results: { ...results }, payouts: { ...payouts }, scores: { ...scores } };
}
