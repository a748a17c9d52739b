import { StoreError } from "@store/fs";

/**
 * The game layer's own refusals. Store errors (`STORE_CONFLICT`, `STORE_CLOSED`, ...) are never
 * wrapped: they reach the caller as the backend threw them, told apart by `code`.
 * Codes never change within a major version; messages may.
 */
export type GameErrorCode =
  /** A spend, transfer, stake or join needs more tokens than the player has (`playerId`, `balance`, `amount`). */
  | "GAME_INSUFFICIENT_FUNDS"
  /** `claimDaily` before the cooldown is over (`playerId`, `retryAfterMs`, `nextAtMs`). */
  | "GAME_COOLDOWN"
  /** The game (or player) does not exist (`key`). */
  | "GAME_NOT_FOUND"
  /** A game with this id exists already (`key`). */
  | "GAME_EXISTS"
  /** The game is past `expiresAtMs`: only the sweeper's refund may settle it now (`key`, `expiresAtMs`). */
  | "GAME_EXPIRED"
  /** A request that breaks a rule of the domain (unknown player in a settlement, a total over the safe integer range...). */
  | "GAME_INVALID"
  /** A record fails its schema, or has a newer schema version than this code knows (`key`, `version`). */
  | "GAME_SCHEMA"
  /** An idempotency key was used before for a different request (`idempotencyKey`). */
  | "GAME_IDEMPOTENCY_MISMATCH"
  /** A legacy import is half done (another process is importing, or one was interrupted: open again to roll it back). */
  | "GAME_IMPORT_PENDING"
  /** The game layer was closed. */
  | "GAME_CLOSED";

export interface GameErrorDetails {
  readonly key?: string | undefined;
  readonly playerId?: string | undefined;
  readonly balance?: number | undefined;
  readonly amount?: number | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly nextAtMs?: number | undefined;
  readonly expiresAtMs?: number | undefined;
  readonly version?: number | undefined;
  readonly idempotencyKey?: string | undefined;
  readonly cause?: unknown;
}

/** A StoreError with a `GAME_*` code: `instanceof StoreError` holds, and `code` tells them apart. */
export class GameError extends StoreError<GameErrorCode> {
  readonly playerId: string | undefined;
  readonly balance: number | undefined;
  readonly amount: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly nextAtMs: number | undefined;
  readonly expiresAtMs: number | undefined;
  readonly version: number | undefined;
  readonly idempotencyKey: string | undefined;

  constructor(code: GameErrorCode, message: string, details: GameErrorDetails = {}) {
    super(code, message, { key: details.key, cause: details.cause });
    this.name = "GameError";
    this.playerId = details.playerId;
    this.balance = details.balance;
    this.amount = details.amount;
    this.retryAfterMs = details.retryAfterMs;
    this.nextAtMs = details.nextAtMs;
    this.expiresAtMs = details.expiresAtMs;
    this.version = details.version;
    this.idempotencyKey = details.idempotencyKey;
  }
}

/** Whether `error` carries `code` (by code, never by class: two copies of a package can meet). */
export function hasCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * Whether `error` is a refusal of the game layer (with that `code`, if given). Checks the code, not
 * the class, so it also recognises a GameError from another copy of the package.
 */
export function isGameError(error: unknown, code?: GameErrorCode): error is GameError {
  if (typeof error !== "object" || error === null) return false;
  const actual = (error as { code?: unknown }).code;
  return typeof actual === "string" && actual.startsWith("GAME_") && (code === undefined || actual === code);
}

