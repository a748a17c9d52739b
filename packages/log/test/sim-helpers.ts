import type { ProcessProbe } from "@store/fs";
import { isPowerCut, type Rng, type SimulatedDisk } from "@store/testkit";
import { openStore, type BatchOp, type JsonValue, type Store } from "../src/index.js";

export const DATA_DIR = "/data";

/** Each simulated boot is a new process: the pid of an earlier boot is dead. */
export function bootProbe(boot: number): ProcessProbe {
  const pid = 1000 + boot;
  return { pid, host: "simulated", startTicksOf: (candidate) => (candidate === pid ? boot : undefined) };
}

/** Preallocation in small steps: the zero fills run often, and a power cut can land in them. */
const SIM_PREALLOCATE_BYTES = 2048;

export async function openOnDisk(disk: SimulatedDisk, boot: number, options: Parameters<typeof openStore>[1] = {}): Promise<Store> {
  return openStore(DATA_DIR, { segmentPreallocateBytes: SIM_PREALLOCATE_BYTES, ...options, fs: disk.fs, processProbe: bootProbe(boot) });
}

export type Model = Map<string, JsonValue>;

/** One write of a workload, as the model sees it. */
export interface IssuedWrite {
  readonly seq: number;
  readonly ops: readonly BatchOp[];
}

export function applyWrite(model: Model, write: IssuedWrite): void {
  for (const op of write.ops) {
    if (op.type === "set") model.set(op.key, op.value);
    else model.delete(op.key);
  }
}

/** The model after every issued write with seq <= `seq`, on top of `initial`. */
export function modelAt(initial: Model, issued: readonly IssuedWrite[], seq: number): Model {
  const model = new Map(initial);
  for (const write of issued) if (write.seq <= seq) applyWrite(model, write);
  return model;
}

export interface WorkloadResult {
  readonly issued: IssuedWrite[];
  readonly acknowledged: Set<number>;
  /** False when some write failed (power cut or injected fault). */
  readonly completed: boolean;
  readonly firstError: unknown;
}

/**
 * `count` writes from `writers` concurrent callers: sets, deletes and two-key batches over a small
 * key set, so batches and overwrites interact. Seqs are predictable: writes are submitted in order.
 */
export async function runWorkload(store: Store, rng: Rng, count: number, writers = 8): Promise<WorkloadResult> {
  const issued: IssuedWrite[] = [];
  const acknowledged = new Set<number>();
  let failed = false;
  let firstError: unknown;
  let next = 0;
  const firstSeq = store.seq + 1;
  const writer = async (): Promise<void> => {
    while (next < count && !failed) {
      next += 1;
      const ops = randomOps(rng, next);
      const seq = firstSeq + next - 1;
      const write = { seq, ops };
      try {
        issued.push(write);
        const promise = ops.length === 1 && ops[0]!.type === "set" ? store.set(ops[0]!.key, ops[0]!.value) : ops.length === 1 ? store.delete(ops[0]!.key) : store.batch(ops);
        const result = await promise;
        if (result.seq !== seq) throw new Error(`assertion failed: expected seq ${seq}, got ${result.seq}`);
        acknowledged.add(seq);
      } catch (error) {
        if (!isPowerCut(error) && !isStoreFailure(error)) throw error;
        firstError ??= error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  return { issued, acknowledged, completed: !failed, firstError };
}

function randomOps(rng: Rng, index: number): BatchOp[] {
  const key = (): string => `k/${rng.int(6)}`;
  const roll = rng.int(10);
  if (roll < 6) return [{ type: "set", key: key(), value: { index, pad: "p".repeat(rng.int(40)) } }];
  if (roll < 7) return [{ type: "delete", key: key() }];
  const first = key();
  let second = key();
  while (second === first) second = key();
  return [
    { type: "set", key: first, value: index },
    { type: "set", key: second, value: -index },
  ];
}

function isStoreFailure(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "STORE_FAILED" || code === "STORE_IO" || code === "STORE_CLOSED";
}

export function stateOf(store: Store): Model {
  return new Map(store.scan());
}
