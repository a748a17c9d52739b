import type { BatchOp, Store } from "@store/log";
import type { Rng } from "@store/testkit";

export const ACCOUNT_PREFIX = "acct/";
export const ACCOUNT_BALANCE_START = 100;

export function accountKey(index: number): string {
  return `${ACCOUNT_PREFIX}${index}`;
}

/** Creates the accounts, each only if it does not exist yet: one atomic batch. */
export function mintOps(accounts: number): BatchOp[] {
  return Array.from({ length: accounts }, (_, index) => ({ type: "set", key: accountKey(index), value: ACCOUNT_BALANCE_START, ifVersion: null }));
}

/**
 * A conditional transfer between two accounts, read from the acknowledged state: if another write
 * to either account is pending or lands first, the preconditions fail and nothing is written.
 * Undefined when the payer cannot afford it.
 */
export function transferOps(store: Store, rng: Rng, accounts: number): BatchOp[] | undefined {
  const from = rng.int(accounts);
  const to = (from + 1 + rng.int(accounts - 1)) % accounts;
  const amount = 1 + rng.int(30);
  const fromBalance = store.get(accountKey(from));
  const toBalance = store.get(accountKey(to));
  if (typeof fromBalance !== "number" || typeof toBalance !== "number" || fromBalance < amount) return undefined;
  return [
    { type: "set", key: accountKey(from), value: fromBalance - amount, ifVersion: store.version(accountKey(from)) ?? null },
    { type: "set", key: accountKey(to), value: toBalance + amount, ifVersion: store.version(accountKey(to)) ?? null },
  ];
}

/** Sets (of varied sizes), deletes, two-key batches and conditional transfers over a few keys. */
export function randomOps(store: Store, rng: Rng, index: number, accounts: number): BatchOp[] {
  const key = (): string => `k/${rng.int(8)}`;
  const roll = rng.int(20);
  if (roll < 8) return [{ type: "set", key: key(), value: { index, pad: "p".repeat(rng.int(60)) } }];
  if (roll < 10) return [{ type: "delete", key: key() }];
  if (roll < 13 || accounts < 2) {
    const first = key();
    let second = key();
    while (second === first) second = key();
    return [
      { type: "set", key: first, value: index },
      rng.bool() ? { type: "set", key: second, value: [index, -1 - index] } : { type: "delete", key: second },
    ];
  }
  return transferOps(store, rng, accounts) ?? [{ type: "set", key: key(), value: index }];
}
