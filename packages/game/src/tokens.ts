import { GameError } from "./errors.js";
import { assertId, assertIdempotencyKey, tokensKey } from "./keys.js";
import { assertAmount, assertReason, move } from "./ledger.js";
import { show } from "./options.js";
import { HISTORY_PAGE, TOKENS, emptyAccount, showMovement, type TokenAccount } from "./records.js";
import { historyPageKeys, lastMovements } from "./history.js";
import { decode } from "./schema.js";
import { perform, type Context, type Tx } from "./tx.js";

/** Every operation a retried Discord interaction could repeat takes these. */
export interface OperationOptions {
  /** Makes the operation idempotent: a repeat with the same key returns the first result and applies nothing. */
  readonly idempotencyKey?: string | undefined;
}

export interface TokenOperationOptions extends OperationOptions {
  /** Kept in the history's movement (at most 200 characters). */
  readonly reason?: string | undefined;
}

export type BalanceResult = { playerId: string; balance: number; amount: number };
export type TransferResult = { from: string; to: string; amount: number; fromBalance: number; toBalance: number };
export type DailyResult = { playerId: string; amount: number; balance: number; nextAtMs: number };

export interface Tokens {
  /** The player's account (balance 0 and no history for a player never credited). */
  account(playerId: string): Promise<TokenAccount>;
  balance(playerId: string): Promise<number>;
  /** Creates `amount` tokens for the player (counted in the supply as granted). */
  grant(playerId: string, amount: number, options?: TokenOperationOptions): Promise<BalanceResult>;
  /** Destroys `amount` of the player's tokens (counted as spent); GAME_INSUFFICIENT_FUNDS if short. */
  spend(playerId: string, amount: number, options?: TokenOperationOptions): Promise<BalanceResult>;
  /** Moves tokens between two players in one conditional batch; GAME_INSUFFICIENT_FUNDS if `from` is short. */
  transfer(from: string, to: string, amount: number, options?: TokenOperationOptions): Promise<TransferResult>;
  /** Grants `dailyAmount` once per `dailyCooldownMs`; GAME_COOLDOWN with `retryAfterMs` before that. */
  claimDaily(playerId: string, options?: OperationOptions): Promise<DailyResult>;
}

export function createTokens(context: Context): Tokens {
  const { options } = context;

  async function account(playerId: string): Promise<TokenAccount> {
    context.assertOpen();
    assertId(playerId, "playerId");
    const key = tokensKey(playerId);
    // The record and its history pages at one point: a page written in between cannot be missed or counted twice.
    const pageKeys = historyPageKeys(playerId, options.historyMax);
    const [entry, ...pageEntries] = await context.kv.getMany([key, ...pageKeys]);
    const record = entry === undefined ? emptyAccount(playerId) : decode(TOKENS, key, entry.value);
    const pages = pageEntries.map((page, index) => (page === undefined ? undefined : decode(HISTORY_PAGE, pageKeys[index]!, page.value)));
    const { movements: _movements, recent: _recent, ...fields } = record;
    return { ...fields, history: lastMovements(record, pages, options.historyMax).map(showMovement) };
  }

  async function single(op: "grant" | "spend", playerId: string, amount: number, opts: TokenOperationOptions): Promise<BalanceResult> {
    assertId(playerId, "playerId");
    assertAmount(amount);
    assertOptions(opts);
    return perform(context, {
      op,
      args: { playerId, amount, reason: opts.reason ?? null },
      idempotencyKey: opts.idempotencyKey,
      keys: [tokensKey(playerId)],
      plan: (tx) => {
        const delta = op === "grant" ? amount : -amount;
        const next = move(tx.account(playerId), delta, { kind: op, reason: opts.reason }, tx.nowMs, options.historyMax);
        tx.setAccount(next);
        tx.count(playerId, op === "grant" ? amount : 0, op === "spend" ? amount : 0);
        return { playerId, balance: next.balance, amount };
      },
    });
  }

  return {
    account,
    balance: async (playerId) => (await account(playerId)).balance,
    grant: async (playerId, amount, opts = {}) => single("grant", playerId, amount, opts),
    spend: async (playerId, amount, opts = {}) => single("spend", playerId, amount, opts),
    transfer: async (from, to, amount, opts = {}) => {
      assertId(from, "from");
      assertId(to, "to");
      if (from === to) throw new TypeError(`transfer() needs two different players, got ${from} twice.`);
      assertAmount(amount);
      assertOptions(opts);
      return perform(context, {
        op: "transfer",
        args: { from, to, amount, reason: opts.reason ?? null },
        idempotencyKey: opts.idempotencyKey,
        keys: [tokensKey(from), tokensKey(to)],
        plan: (tx) => planTransfer(tx, from, to, amount, opts.reason, options.historyMax),
      });
    },
    claimDaily: async (playerId, opts = {}) => {
      assertId(playerId, "playerId");
      assertOptions(opts);
      return perform(context, {
        op: "claimDaily",
        args: { playerId },
        idempotencyKey: opts.idempotencyKey,
        keys: [tokensKey(playerId)],
        plan: (tx) => {
          const current = tx.account(playerId);
          const nextAtMs = current.lastDailyAtMs === null ? tx.nowMs : current.lastDailyAtMs + options.dailyCooldownMs;
          if (tx.nowMs < nextAtMs) {
            throw new GameError("GAME_COOLDOWN", `Player ${playerId} claimed the daily tokens already; the next claim opens in ${nextAtMs - tx.nowMs} ms.`, {
              playerId,
              retryAfterMs: nextAtMs - tx.nowMs,
              nextAtMs,
            });
          }
          const amount = options.dailyAmount;
          const next = { ...move(current, amount, { kind: "daily" }, tx.nowMs, options.historyMax), lastDailyAtMs: tx.nowMs };
          tx.setAccount(next);
          tx.count(playerId, amount, 0);
          return { playerId, amount, balance: next.balance, nextAtMs: tx.nowMs + options.dailyCooldownMs };
        },
      });
    },
  };
}

function planTransfer(tx: Tx, from: string, to: string, amount: number, reason: string | undefined, historyMax: number): TransferResult {
  const source = move(tx.account(from), -amount, { kind: "transfer-out", ref: to, reason }, tx.nowMs, historyMax);
  const target = move(tx.account(to), amount, { kind: "transfer-in", ref: from, reason }, tx.nowMs, historyMax);
  tx.setAccount(source);
  tx.setAccount(target);
  return { from, to, amount, fromBalance: source.balance, toBalance: target.balance };
}

export function assertOptions(opts: TokenOperationOptions): void {
  if (typeof opts !== "object" || (opts as unknown) === null) throw new TypeError(`Operation options must be an object, got ${show(opts)}.`);
  assertIdempotencyKey(opts.idempotencyKey);
  assertReason(opts.reason);
}
