import type { JsonValue } from "@store/fs";
import type { Game } from "../game.js";
import type { GameRecord } from "../records.js";
import type { SettleDecision, SettleRequest } from "../settle.js";
import type { Outcome } from "../stats.js";

/**
 * One operation of the crash workload, as data: the process under test runs it and reports it
 * acknowledged with its result; after the crash the checker runs it again, with the same
 * idempotency key, and must get the same result without a write.
 */
export type CrashOp =
  | { kind: "grant" | "spend"; key: string; player: string; amount: number }
  | { kind: "transfer"; key: string; from: string; to: string; amount: number }
  | { kind: "daily"; key: string; player: string }
  | { kind: "create"; key: string; id: string; players: string[]; stakes: Record<string, number>; joinStake: number; expiresAtMs: number | null }
  /** Joins with the game's own joinStake. */
  | { kind: "join"; key: string; id: string; player: string }
  | { kind: "settle"; key: string; id: string; results: Record<string, Outcome>; payouts: Record<string, number> }
  /** A settlement decided in its batch: one winner drawn among the game's players takes the pot. */
  | { kind: "settle-drawn"; key: string; id: string }
  /** A coin flip against the house in one batch (`games.play`): double or nothing, drawn in the batch. */
  | { kind: "flip"; key: string; id: string; player: string; bet: number };

/**
 * Runs `op` with its idempotency key. `draw` (a number in [0, 1)) decides the drawn outcomes; without
 * it, an operation that would have to decide throws: a repeat of an acknowledged operation must be
 * answered from its idempotency record, never decided again.
 */
export async function runCrashOp(game: Game, op: CrashOp, draw?: () => number): Promise<JsonValue> {
  const options = { idempotencyKey: op.key };
  switch (op.kind) {
    case "grant":
      return game.tokens.grant(op.player, op.amount, options);
    case "spend":
      return game.tokens.spend(op.player, op.amount, options);
    case "transfer":
      return game.tokens.transfer(op.from, op.to, op.amount, options);
    case "daily":
      return game.tokens.claimDaily(op.player, options);
    case "create":
      return game.games.create({ id: op.id, type: "crash", players: op.players, stakes: op.stakes, joinStake: op.joinStake, ...(op.expiresAtMs === null ? {} : { expiresAtMs: op.expiresAtMs }) }, options);
    case "join":
      return game.games.join(op.id, op.player, undefined, options);
    case "settle":
      return game.games.settle(op.id, { results: op.results, payouts: op.payouts }, options);
    case "settle-drawn":
      return game.games.settle(op.id, decision(op, draw, drawWinner), options);
    case "flip":
      return game.games.play({ id: op.id, type: "coinflip", players: [op.player], stakes: { [op.player]: op.bet } }, decision(op, draw, drawFlip), options);
  }
}

function decision(op: CrashOp, draw: (() => number) | undefined, decide: (game: GameRecord, draw: () => number) => SettleRequest): SettleDecision {
  return (game) => {
    if (draw === undefined) throw new Error(`${op.kind} ${op.key} decided its outcome again: a repeat must be answered from its idempotency record.`);
    return decide(game, draw);
  };
}

function drawWinner(game: GameRecord, draw: () => number): SettleRequest {
  const winner = game.players[Math.floor(draw() * game.players.length)]!;
  const pot = game.players.reduce((sum, player) => sum + (game.stakes[player] ?? 0), 0);
  return { results: Object.fromEntries(game.players.map((player) => [player, player === winner ? "win" : "loss"])), payouts: { [winner]: pot } };
}

function drawFlip(game: GameRecord, draw: () => number): SettleRequest {
  const [player] = game.players as [string];
  return draw() < 0.5 ? { results: { [player]: "win" }, payouts: { [player]: 2 * (game.stakes[player] ?? 0) } } : { results: { [player]: "loss" } };
}
