import type { JsonValue } from "@store/fs";
import { SCAN_PAGE_SIZE_DEFAULT } from "./options.js";
import type { KeyValueStore } from "@store/kv";
import { Follower, type FollowHandler } from "./follower.js";
import { IMPORTED_PREFIX, IMPORT_CHUNK_PREFIX, IMPORT_KEY, PREFIX } from "./keys.js";
import { GAME, HISTORY_PAGE, IDEM, IMPORT_CHUNK, IMPORT_MARKER, PLAYER, SUPPLY, TOKENS } from "./records.js";
import { decodeProblem, type RecordKind } from "./schema.js";

export type AuditReport = {
  /** Conserved, no negative balance, no record failing its schema. */
  ok: boolean;
  /** The store seq the audit describes: every figure is exact as of that write. */
  seq: number;
  /** balances + escrow === granted - spent. */
  conserved: boolean;
  balances: number;
  /** Tokens staked in live games. */
  escrow: number;
  granted: number;
  spent: number;
  /** balances + escrow - (granted - spent): 0 when conserved. */
  difference: number;
  accounts: number;
  players: number;
  games: number;
  negativeBalances: Array<{ playerId: string; balance: number }>;
  invalidRecords: Array<{ key: string; problem: string }>;
};

interface Contribution {
  balance: number;
  escrow: number;
  granted: number;
  spent: number;
}

/**
 * Reads every record of the game layer once, at one consistent seq (a scan merged with the change
 * subscription, as the indexes are built), and checks the invariants: tokens are conserved (the sum
 * of balances and escrow equals what was granted minus what was spent), no balance is negative, every
 * record passes its schema. The figures are running sums kept per key, so the report taken right
 * after the follower caught up is exact at its seq even while other writes go on.
 */
export async function audit(kv: KeyValueStore, pageSize: number): Promise<AuditReport> {
  const totals: Contribution = { balance: 0, escrow: 0, granted: 0, spent: 0 };
  const contributions = new Map<string, Contribution>();
  const problems = new Map<string, string>();
  const negatives = new Map<string, number>();
  const counts = { accounts: 0, players: 0, games: 0 };
  const handler = (prefix: string, kind: RecordKind<unknown>, counter?: keyof typeof counts): FollowHandler => ({
    prefix,
    reset: () => undefined,
    apply: (key, value) => {
      const old = contributions.get(key);
      if (old !== undefined) {
        add(totals, old, -1);
        contributions.delete(key);
        if (counter !== undefined) counts[counter] -= 1;
      }
      problems.delete(key);
      negatives.delete(key);
      if (value === undefined) return;
      if (counter !== undefined) counts[counter] += 1;
      const problem = decodeProblem(kind, key, value);
      if (problem !== undefined) problems.set(key, problem);
      const contribution = contributionOf(prefix, value);
      if (contribution.balance < 0) negatives.set(key, contribution.balance);
      add(totals, contribution, 1);
      contributions.set(key, contribution);
    },
  });
  const follower = await Follower.start(
    kv,
    [
      handler(PREFIX.tokens, TOKENS, "accounts"),
      handler(PREFIX.games, GAME, "games"),
      // Version 1 stores counted here; nothing writes these records any more.
      handler(PREFIX.supply, SUPPLY),
      handler(PREFIX.players, PLAYER, "players"),
      handler(PREFIX.idem, IDEM),
      handler(PREFIX.history, HISTORY_PAGE),
      handler(IMPORT_CHUNK_PREFIX, IMPORT_CHUNK),
      handler(IMPORT_KEY, IMPORT_MARKER),
      handler(IMPORTED_PREFIX, IMPORT_MARKER),
    ],
    {
      pageSize,
      onError: () => undefined,
    },
  );
  // Each event is applied whole in one listener call: from the catch-up on, at any synchronous
  // moment the sums are exactly those of the state at follower.seq.
  const report = reportOf(follower.seq, totals, counts, negatives, problems);
  await follower.close();
  return report;
}

function reportOf(seq: number, totals: Contribution, counts: { accounts: number; players: number; games: number }, negatives: Map<string, number>, problems: Map<string, string>): AuditReport {
  const difference = totals.balance + totals.escrow - (totals.granted - totals.spent);
  const invalidRecords = [...problems].map(([key, problem]) => ({ key, problem })).sort((a, b) => (a.key < b.key ? -1 : 1));
  const negativeBalances = [...negatives].map(([key, balance]) => ({ playerId: key.slice(PREFIX.tokens.length), balance }));
  return {
    ok: difference === 0 && negativeBalances.length === 0 && invalidRecords.length === 0,
    seq,
    conserved: difference === 0,
    balances: totals.balance,
    escrow: totals.escrow,
    granted: totals.granted,
    spent: totals.spent,
    difference,
    ...counts,
    negativeBalances,
    invalidRecords,
  };
}

/**
 * What a record adds to the sums, read from its raw fields (so a record failing its schema for
 * another reason still counts, and a negative balance shows up as one instead of vanishing).
 * Tokens created and destroyed are counted on the accounts they went through, on the done marker
 * of an import (what it brought in), and on the `supply/<nn>` records of a version 1 store.
 */
function contributionOf(prefix: string, value: JsonValue): Contribution {
  const none = { balance: 0, escrow: 0, granted: 0, spent: 0 };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return none;
  if (prefix === PREFIX.tokens) return { ...none, balance: integer(value.balance), granted: integer(value.granted), spent: integer(value.spent) };
  if (prefix === PREFIX.supply) return { ...none, granted: integer(value.granted), spent: integer(value.spent) };
  if (prefix === IMPORTED_PREFIX) return { ...none, granted: integer(value.granted) };
  if (prefix === PREFIX.games) {
    const stakes = value.stakes;
    if (typeof stakes !== "object" || stakes === null || Array.isArray(stakes)) return none;
    return { ...none, escrow: Object.values(stakes).reduce<number>((sum, stake) => sum + integer(stake), 0) };
  }
  return none;
}

function integer(value: JsonValue | undefined): number {
  return typeof value === "number" && Number.isSafeInteger(value) ? value : 0;
}

function add(totals: Contribution, contribution: Contribution, sign: 1 | -1): void {
  totals.balance += sign * contribution.balance;
  totals.escrow += sign * contribution.escrow;
  totals.granted += sign * contribution.granted;
  totals.spent += sign * contribution.spent;
}

/**
 * The audit on its own, for tools: it only reads (no index, no sweeper, no expiry refunds), so it
 * runs on a read-only store, for example a live bot's data folder opened `readOnly`.
 */
export function auditGame(kv: KeyValueStore, options: { readonly scanPageSize?: number } = {}): Promise<AuditReport> {
  return audit(kv, options.scanPageSize ?? SCAN_PAGE_SIZE_DEFAULT);
}
