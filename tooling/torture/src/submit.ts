import type { BatchOp, Store, WriteResult } from "@store/log";

export interface Submitted {
  readonly promise: Promise<WriteResult>;
  /** The seq the store gave the write, or undefined if it was refused before being queued. */
  readonly seq: number | undefined;
}

/**
 * Tracks the seqs a store hands out. Seqs are assigned in submission order to writes that get
 * queued, and a write is queued synchronously inside the call, so the queue length tells at once
 * whether this write took a seq (a refused precondition or a failed store takes none).
 */
export class SeqTracker {
  #nextSeq: number;

  constructor(store: Store) {
    this.#nextSeq = store.seq + 1;
  }

  submit(store: Store, ops: readonly BatchOp[]): Submitted {
    const queuedBefore = store.stats().queuedWrites;
    const promise = callFor(store, ops);
    if (store.stats().queuedWrites !== queuedBefore + 1) return { promise, seq: undefined };
    const seq = this.#nextSeq;
    this.#nextSeq += 1;
    return { promise, seq };
  }
}

/** Single sets and deletes go through set/delete, the rest through batch, so every path is used. */
function callFor(store: Store, ops: readonly BatchOp[]): Promise<WriteResult> {
  const only = ops.length === 1 ? ops[0] : undefined;
  if (only !== undefined && only.ifVersion === undefined) {
    return only.type === "set" ? store.set(only.key, only.value) : store.delete(only.key);
  }
  return store.batch(ops);
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
