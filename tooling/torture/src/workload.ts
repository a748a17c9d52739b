import type { BatchOp, Store } from "@store/log";
import { isPowerCut, type Rng } from "@store/testkit";
import type { IssuedWrite } from "./model.js";
import { mintOps, randomOps } from "./ops.js";
import { SeqTracker, errorCode } from "./submit.js";

export interface WorkloadPlan {
  readonly writes: number;
  /** Concurrent callers, each awaiting its previous write. */
  readonly callers: number;
  /** Accounts minted first, then moved between by conditional transfers (0: none). */
  readonly accounts: number;
  /** Write indexes at which a caller runs a compaction (and waits for it). */
  readonly compactAt: ReadonlySet<number>;
  /** Write indexes at which a caller flushes the mirror (and waits for it). */
  readonly mirrorAt: ReadonlySet<number>;
}

export interface WorkloadHooks {
  readonly compact?: () => Promise<unknown>;
  readonly flushMirror?: () => Promise<void>;
}

export interface WorkloadRun {
  readonly issued: IssuedWrite[];
  readonly acknowledged: Set<number>;
  /** The acknowledged writes with the seqs the store gave them. */
  readonly acknowledgedWrites: IssuedWrite[];
  /** False when a write failed (power cut or injected fault); the workload stops at the first. */
  completed: boolean;
  firstError: unknown;
  /** The store's seq when the last acknowledged mirror flush started: the views are at least this new. */
  mirrorAckSeq: number | undefined;
}

/** Failures a fault can cause; anything else is a bug and is rethrown. */
export function isExpectedFailure(error: unknown): boolean {
  const code = errorCode(error);
  return isPowerCut(error) || code === "STORE_FAILED" || code === "STORE_IO" || code === "STORE_CLOSED";
}

/** Runs the plan against `store`, recording every write that took a seq and every acknowledgement. */
export async function runWorkload(store: Store, rng: Rng, plan: WorkloadPlan, hooks: WorkloadHooks = {}): Promise<WorkloadRun> {
  const tracker = new SeqTracker(store);
  const run: WorkloadRun = { issued: [], acknowledged: new Set(), acknowledgedWrites: [], completed: true, firstError: undefined, mirrorAckSeq: undefined };
  const fail = (error: unknown): void => {
    if (!isExpectedFailure(error)) throw error;
    run.firstError ??= error;
    run.completed = false;
  };
  // A function, not the field: TypeScript keeps a narrowed field narrowed across awaits.
  const stopped = (): boolean => !run.completed;
  const write = async (ops: BatchOp[]): Promise<void> => {
    const submitted = tracker.submit(store, ops);
    if (submitted.seq !== undefined) run.issued.push({ seq: submitted.seq, ops });
    try {
      const { seq } = await submitted.promise;
      // After a failed append the store hands the seqs of the writes it rejected out again, and a
      // caller that had not yet heard of the failure may have submitted meanwhile: only then may
      // the tracker be off.
      if (seq !== submitted.seq && !stopped()) throw new Error(`assertion failed: the store acknowledged seq ${seq}, the tracker expected ${String(submitted.seq)}`);
      run.acknowledged.add(seq);
      run.acknowledgedWrites.push({ seq, ops });
    } catch (error) {
      if (errorCode(error) !== "STORE_CONFLICT") fail(error);
    }
  };
  if (plan.accounts > 0) await write(mintOps(plan.accounts));
  let next = 0;
  const caller = async (): Promise<void> => {
    while (next < plan.writes && !stopped()) {
      const index = next;
      next += 1;
      if (plan.compactAt.has(index) && hooks.compact !== undefined) await hooks.compact().catch(fail);
      if (plan.mirrorAt.has(index) && hooks.flushMirror !== undefined) await flushMirror(store, hooks.flushMirror, run).catch(fail);
      if (!stopped()) await write(randomOps(store, rng, index, plan.accounts));
    }
  };
  await Promise.all(Array.from({ length: plan.callers }, caller));
  return run;
}

async function flushMirror(store: Store, flush: () => Promise<void>, run: WorkloadRun): Promise<void> {
  const seqBefore = store.seq;
  await flush();
  run.mirrorAckSeq = Math.max(run.mirrorAckSeq ?? 0, seqBefore);
}
