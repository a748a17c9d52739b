import { GameError } from "./errors.js";
import { show } from "./options.js";
import type { MovementKind, StoredMovement, TokenRecord } from "./records.js";

export interface MovementNote {
  readonly kind: MovementKind;
  /** The other player of a transfer, or the game of a stake, refund or payout. */
  readonly ref?: string | null | undefined;
  readonly reason?: string | null | undefined;
}

/** Throws a TypeError unless `amount` is a positive safe integer (what every token amount is). */
export function assertAmount(amount: unknown, what = "amount"): asserts amount is number {
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0) {
    throw new TypeError(`${what} must be a positive integer number of tokens, got ${show(amount)}.`);
  }
}

/** Throws a TypeError unless `amount` is a safe integer from 0 (stakes and payouts may be 0). */
export function assertCount(amount: unknown, what: string): asserts amount is number {
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount < 0) {
    throw new TypeError(`${what} must be an integer number of tokens from 0, got ${show(amount)}.`);
  }
}

export function assertReason(reason: unknown): asserts reason is string | undefined {
  if (reason !== undefined && (typeof reason !== "string" || reason.length > 200)) {
    throw new TypeError(`reason must be a string of at most 200 characters, got ${show(reason)}.`);
  }
}

/** The account with `delta` added (negative: taken) and the movement at the end of its recent ones (none kept with `historyMax` 0). */
export function move(account: TokenRecord, delta: number, note: MovementNote, nowMs: number, historyMax: number): TokenRecord {
  const balance = account.balance + delta;
  if (balance < 0) {
    throw new GameError(
      "GAME_INSUFFICIENT_FUNDS",
      `Player ${account.id} has ${account.balance} tokens, ${-delta} are needed.`,
      { playerId: account.id, balance: account.balance, amount: -delta },
    );
  }
  if (!Number.isSafeInteger(balance)) {
    throw new GameError("GAME_INVALID", `Player ${account.id}'s balance would pass Number.MAX_SAFE_INTEGER (${account.balance} + ${delta}).`, { playerId: account.id, balance: account.balance, amount: delta });
  }
  if (historyMax === 0) return { ...account, balance };
  const movement: StoredMovement = [nowMs, note.kind, delta, balance, note.ref ?? null, note.reason ?? null];
  return { ...account, balance, movements: account.movements + 1, recent: [...account.recent, movement] };
}
