import type { Store } from "@store/log";
import { Rng, SimulatedDisk } from "@store/testkit";
import { ACCOUNT_BALANCE_START, accountKey, mintOps } from "../ops.js";
import { check, type CaseOptions, type Scenario } from "../scenario.js";
import { openOnFs, subSeed } from "../sim.js";

/**
 * More attempts than any converging run needs: each conflict is paid for by another worker's
 * commit, so a worker's attempts stay below (its transfers) x (workers). Reaching it means the
 * retry loop spins against a write it cannot see.
 */
const ATTEMPTS_PER_TRANSFER_MAX = 10_000;

interface Plan {
  readonly workers: number;
  readonly transfersEach: number;
  readonly accounts: number;
  /** Compactions started while the workers run, at these transfer counts of worker 0. */
  readonly compactAt: ReadonlySet<number>;
  readonly segmentBytesMax: number;
}

function makePlan(seed: number): Plan {
  const rng = new Rng(subSeed(seed, 1));
  const transfersEach = 5 + rng.int(25);
  return {
    workers: 2 + rng.int(31),
    transfersEach,
    accounts: 2 + rng.int(6),
    compactAt: new Set(rng.bool(0.5) ? [rng.int(transfersEach), rng.int(transfersEach)] : []),
    segmentBytesMax: rng.pick([800, 4096, 64 * 1024]),
  };
}

/**
 * One worker's transfer, written as the README's retry loop is by a new user: read with
 * `getEntry`, batch with `ifVersion`, repeat on STORE_CONFLICT, never yielding on purpose.
 * Returns the attempts it took.
 */
async function transferWithPlainRetry(store: Store, rng: Rng, accounts: number): Promise<number> {
  const fromIndex = rng.int(accounts);
  const from = accountKey(fromIndex);
  const to = accountKey((fromIndex + 1 + rng.int(accounts - 1)) % accounts);
  const amount = 1 + rng.int(20);
  for (let attempts = 1; attempts <= ATTEMPTS_PER_TRANSFER_MAX; attempts += 1) {
    const payer = store.getEntry(from);
    const payee = store.getEntry(to);
    check(payer !== undefined && payee !== undefined, `account ${from} or ${to} is missing`);
    const payerBalance = payer.value as number;
    if (payerBalance < amount) return attempts;
    try {
      await store.batch([
        { type: "set", key: from, value: payerBalance - amount, ifVersion: payer.version },
        { type: "set", key: to, value: (payee.value as number) + amount, ifVersion: payee.version },
      ]);
      return attempts;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "STORE_CONFLICT") throw error;
    }
  }
  throw new Error(`a transfer from ${from} to ${to} did not commit in ${ATTEMPTS_PER_TRANSFER_MAX} attempts: the plain retry loop does not converge`);
}

async function runCase(seed: number, options: CaseOptions): Promise<number> {
  const plan = makePlan(seed);
  const disk = new SimulatedDisk();
  if (new Rng(subSeed(seed, 2)).bool()) disk.landWritesLate(new Rng(subSeed(seed, 3)));
  const store = await openOnFs(options.wrapFs(disk.fs), 1, { segmentBytesMax: plan.segmentBytesMax });
  let checks = 0;
  try {
    await store.batch(mintOps(plan.accounts));
    const compactions: Array<Promise<unknown>> = [];
    const attempts = await Promise.all(
      Array.from({ length: plan.workers }, async (_, worker) => {
        const rng = new Rng(subSeed(seed, 10, worker));
        let total = 0;
        for (let transfer = 0; transfer < plan.transfersEach; transfer += 1) {
          if (worker === 0 && plan.compactAt.has(transfer)) compactions.push(store.compact());
          total += await transferWithPlainRetry(store, rng, plan.accounts);
        }
        return total;
      }),
    );
    await Promise.all(compactions);
    const conflicts = attempts.reduce((sum, count) => sum + count, 0) - plan.workers * plan.transfersEach;
    const commitsMax = plan.workers * plan.transfersEach;
    check(conflicts <= commitsMax * (plan.workers - 1), `${conflicts} conflicts for ${commitsMax} transfers by ${plan.workers} workers: more than one per other worker's commit`);
    let sum = 0;
    for (let index = 0; index < plan.accounts; index += 1) {
      const balance = store.get(accountKey(index));
      check(typeof balance === "number" && balance >= 0, `account ${index} holds ${JSON.stringify(balance)}`);
      sum += balance;
    }
    check(sum === plan.accounts * ACCOUNT_BALANCE_START, `balances add up to ${sum}, not ${plan.accounts * ACCOUNT_BALANCE_START}: a conditional transfer was half applied or applied over another`);
    checks += plan.workers * plan.transfersEach;
  } finally {
    await store.close();
  }
  return checks;
}

export const conflictRetry: Scenario = {
  name: "conflict-retry",
  summary: "2 to 32 workers run the plain STORE_CONFLICT retry loop on a few hot accounts, with compactions: every loop converges, each conflict is paid for by another commit, money is conserved",
  runCase,
};
