import { GameError } from "./errors.js";
import { gameKey, playerKey, tokensKey, assertId } from "./keys.js";
import { assertCount, move } from "./ledger.js";
import { liveGame, withPlayersOf, PlayersChanged } from "./live-game.js";
import { show } from "./options.js";
import { PLAYER, type GameRecord } from "./records.js";
import { applyResult, assertOutcome, assertScore, newPlayer, type Outcome } from "./stats.js";
import { assertOptions, type OperationOptions } from "./tokens.js";
import { NeedKeys, perform, type Context, type Tx } from "./tx.js";

export interface SettleRequest {
  /** Every player of the game, and only them, with their outcome. */
  readonly results: Readonly<Record<string, Outcome>>;
  /**
   * Tokens paid to each player (default 0). Their total may differ from the pot (the sum of the
   * stakes): what the pot keeps is counted as spent (the house's cut), what it lacks as granted
   * (the house pays), on the account of the game's first player, so conservation holds either way.
   */
  readonly payouts?: Readonly<Record<string, number>> | undefined;
  /** Score added per player, instead of the `scoring` option's value for their outcome. */
  readonly scores?: Readonly<Record<string, number>> | undefined;
}

/**
 * Decides a settlement from the game as read inside the operation's batch (a random draw, a
 * winner from the state). It runs again if the batch meets a conflict, and only the attempt that
 * is written counts; a repeat with the same idempotency key is answered from the record and never
 * calls it. Keep it free of other side effects. Throwing refuses the operation (nothing written).
 */
export type SettleDecision = (game: GameRecord) => SettleRequest;

export type SettleResult = {
  gameId: string;
  type: string;
  pot: number;
  paid: number;
  results: Record<string, Outcome>;
  payouts: Record<string, number>;
  /** The new balance of every player whose balance the batch moved (paid, or staked by `play`). */
  balances: Record<string, number>;
};

export interface CheckedSettlement {
  readonly results: Record<string, Outcome>;
  readonly payouts: Record<string, number>;
  readonly scores: Record<string, number>;
  /** The payouts' total. */
  readonly paid: number;
}

/**
 * One batch: the payouts credited, every player's result added to their stats, any difference
 * between pot and payouts counted on the house account (see applySettlement), and the game
 * deleted. Conditional on every key read, so a settlement and an expiry refund of the same game
 * cannot both happen. With a function, the settlement is decided inside that batch, from the game
 * as read there.
 */
export async function settle(context: Context, id: string, request: SettleRequest | SettleDecision, opts: OperationOptions): Promise<SettleResult> {
  assertId(id, "game id");
  if (typeof request === "function") {
    assertOptions(opts);
    return settleDecided(context, id, request, opts);
  }
  const checked = checkSettle(request, "settle()");
  assertOptions(opts);
  const players = Object.keys(checked.results);
  return perform(context, {
    op: "settleGame",
    args: { id, results: checked.results, payouts: checked.payouts, scores: checked.scores },
    idempotencyKey: opts.idempotencyKey,
    // The house account (the game's first player) is declared only if the pot and the payouts
    // differ and it is not paid: the plan asks for it then (NeedKeys), since the order of the
    // players is known only once the game is read.
    keys: [gameKey(id), ...players.map(playerKey), ...Object.keys(checked.payouts).filter((player) => checked.payouts[player]! > 0).map(tokensKey)],
    plan: (tx) => {
      const result = applySettlement(tx, liveGame(tx, id), checked, context);
      tx.delete(gameKey(id));
      return result;
    },
  });
}

/**
 * The keys a decided settlement touches depend on the game's players (any of them may be paid),
 * so the game is read first; a player who joins before the batch makes it start again. The
 * idempotency record keys on the game alone: the outcome is only known inside the batch.
 */
function settleDecided(context: Context, id: string, decide: SettleDecision, opts: OperationOptions): Promise<SettleResult> {
  return withPlayersOf(context, id, (seen) => {
    const players = seen?.players ?? [];
    return perform(context, {
      op: "settleGame",
      args: { id, decided: true },
      idempotencyKey: opts.idempotencyKey,
      keys: [gameKey(id), ...players.map(playerKey), ...players.map(tokensKey)],
      plan: (tx) => {
        const game = liveGame(tx, id);
        if (game.players.join("\n") !== players.join("\n")) throw new PlayersChanged();
        const checked = checkSettle(decide(structuredClone(game)), `settle(${JSON.stringify(id)}, decide): what decide returned`);
        const result = applySettlement(tx, game, checked, context);
        tx.delete(gameKey(id));
        return result;
      },
    });
  });
}

/**
 * Pays the payouts, records every player's result and counts the difference between pot and
 * payouts, in `tx`. The caller removes the game (or, for `play`, never stored it).
 *
 * The house is no account of its own: what it pays beyond the pot is counted as granted, what it
 * keeps of the pot as spent, on the account of the game's first player (`players[0]`, the one who
 * created it; its balance does not move). One record shared by every game would make every
 * settlement with a house share conflict with every other; this way a settlement touches only its
 * own players' records.
 */
export function applySettlement(tx: Tx, game: GameRecord, checked: CheckedSettlement, context: Context): SettleResult {
  const { historyMax, scoring } = context.options;
  const players = Object.keys(checked.results);
  const expected = [...game.players].sort();
  if (expected.join("\n") !== [...players].sort().join("\n")) {
    throw new GameError("GAME_INVALID", `A settlement must give a result for exactly the players of game ${game.id} (${expected.join(", ")}), got ${players.join(", ")}.`, { key: gameKey(game.id) });
  }
  const pot = game.players.reduce((sum, player) => sum + (game.stakes[player] ?? 0), 0);
  const house = game.players[0]!;
  if (pot !== checked.paid && !tx.declared(tokensKey(house))) throw new NeedKeys([tokensKey(house)]);
  const balances: Record<string, number> = {};
  for (const [player, amount] of Object.entries(checked.payouts)) {
    if (amount === 0) continue;
    const next = move(tx.account(player), amount, { kind: "payout", ref: game.id }, tx.nowMs, historyMax);
    tx.setAccount(next);
    balances[player] = next.balance;
  }
  for (const player of game.players) {
    const outcome = checked.results[player]!;
    const current = tx.player(player) ?? newPlayer(player, undefined, tx.nowMs);
    const score = checked.scores[player] ?? scoring[outcome];
    tx.set(PLAYER, playerKey(player), { ...current, stats: applyResult(current.stats, game.type, outcome, score) });
  }
  if (pot !== checked.paid) tx.count(house, Math.max(0, checked.paid - pot), Math.max(0, pot - checked.paid));
  return { gameId: game.id, type: game.type, pot, paid: checked.paid, results: { ...checked.results }, payouts: { ...checked.payouts }, balances };
}

/** Checks a settlement's shape (a TypeError quoting the bad part, `where` naming who gave it). */
export function checkSettle(request: SettleRequest, where: string): CheckedSettlement {
  if (typeof request !== "object" || (request as unknown) === null) throw new TypeError(`${where} must be { results, payouts?, scores? }, got ${show(request)}.`);
  const { results, payouts = {}, scores = {} } = request;
  if (typeof results !== "object" || (results as unknown) === null || Object.keys(results).length === 0) {
    throw new TypeError(`${where}: results must map every player of the game to "win", "loss" or "draw", got ${show(results)}.`);
  }
  for (const [player, outcome] of Object.entries(results)) {
    assertId(player, "a player id in results");
    assertOutcome(outcome, `The outcome of ${player}`);
  }
  for (const [player, amount] of Object.entries(payouts)) {
    if (!(player in results)) throw new TypeError(`${where}: payouts names ${show(player)}, who has no result (pay only players of the game).`);
    assertCount(amount, `The payout of ${player}`);
  }
  for (const [player, score] of Object.entries(scores)) {
    if (!(player in results)) throw new TypeError(`${where}: scores names ${show(player)}, who has no result.`);
    assertScore(score, `The score of ${player}`);
  }
  const paid = Object.values(payouts).reduce((sum, amount) => sum + amount, 0);
  if (!Number.isSafeInteger(paid)) throw new TypeError(`${where}: the payouts add up past the safe integer range: ${show(payouts)}.`);
  return { results: { ...results }, payouts: { ...payouts }, scores: { ...scores }, paid };
}
