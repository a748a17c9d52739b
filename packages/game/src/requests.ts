import type { JsonValue } from "@store/fs";
import { jsonValueProblem } from "@store/fs";
import { assertId } from "./keys.js";
import { assertCount } from "./ledger.js";
import { show } from "./options.js";
import { assertGameType } from "./stats.js";

export interface CreateGameRequest {
  /** Default: a random UUID. */
  readonly id?: string | undefined;
  readonly type: string;
  readonly channelId?: string | null | undefined;
  /** 1 to `gamePlayersMax` distinct player ids. */
  readonly players: readonly string[];
  /** Tokens escrowed from each player's balance in the same batch (default 0 each). */
  readonly stakes?: Readonly<Record<string, number>> | undefined;
  /** What `join` escrows from a player who joins without naming a stake (default 0). */
  readonly joinStake?: number | undefined;
  /** Your game's state, any JSON. Default null. */
  readonly state?: JsonValue | undefined;
  /** When the game is refunded if not settled, ms since the epoch. Default: now + `gameTtlMs`. */
  readonly expiresAtMs?: number | undefined;
}

/** A game decided and settled in the batch that creates it (`games.play`): it is never stored, so it has no expiry and no one joins it. */
export type PlayRequest = Omit<CreateGameRequest, "expiresAtMs" | "joinStake">;

export interface CheckedCreate {
  readonly id: string | undefined;
  readonly type: string;
  readonly channelId: string | null;
  readonly players: string[];
  readonly stakes: Record<string, number>;
  /** Undefined when not given, so that the request's fingerprint is the one earlier versions computed. */
  readonly joinStake: number | undefined;
  readonly state: JsonValue;
  readonly expiresAtMs: number | undefined;
}

/** Checks a `create` (or, with `oneShot`, a `play`) request; misuse is a TypeError quoting it. */
export function checkCreate(request: CreateGameRequest, playersMax: number, oneShot = false): CheckedCreate {
  const call = oneShot ? "games.play()" : "games.create()";
  if (typeof request !== "object" || (request as unknown) === null) throw new TypeError(`${call} takes { type, players, stakes?, ... }, got ${show(request)}.`);
  if (request.id !== undefined) assertId(request.id, "game id");
  assertGameType(request.type);
  const channelId = request.channelId ?? null;
  if (channelId !== null && (typeof channelId !== "string" || channelId.length === 0 || channelId.length > 128)) throw new TypeError(`channelId must be a string of 1 to 128 characters, got ${show(channelId)}.`);
  if (!Array.isArray(request.players) || request.players.length === 0 || request.players.length > playersMax) {
    throw new TypeError(`players must be an array of 1 to ${playersMax} player ids (gamePlayersMax), got ${show(request.players)}.`);
  }
  for (const player of request.players) assertId(player, "every player id");
  if (new Set(request.players).size !== request.players.length) throw new TypeError(`players must be distinct, got ${show(request.players)}.`);
  const stakes = request.stakes ?? {};
  if (typeof stakes !== "object" || (stakes as unknown) === null) throw new TypeError(`stakes must be an object of player id to tokens, got ${show(stakes)}.`);
  for (const [player, stake] of Object.entries(stakes)) {
    if (!request.players.includes(player)) throw new TypeError(`stakes names ${show(player)}, who is not one of the players.`);
    assertCount(stake, `The stake of ${player}`);
  }
  const state = request.state ?? null;
  const problem = jsonValueProblem(state);
  if (problem !== undefined) throw new TypeError(`A game's state must be plain JSON: ${problem}.`);
  if (oneShot) {
    for (const field of ["expiresAtMs", "joinStake"] as const) {
      if (request[field] !== undefined) throw new TypeError(`${call} settles the game in the batch that creates it, so it takes no ${field}, got ${show(request[field])}; use games.create() for a game that waits.`);
    }
  }
  if (request.joinStake !== undefined) assertCount(request.joinStake, "joinStake");
  if (request.expiresAtMs !== undefined) assertCount(request.expiresAtMs, "expiresAtMs");
  const players: string[] = request.players.map(String);
  return { id: request.id, type: request.type, channelId, players, stakes: { ...stakes }, joinStake: request.joinStake, state, expiresAtMs: request.expiresAtMs };
}
