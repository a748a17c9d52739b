import { StoreError, quote } from "@store/fs";
import type { Entry, KeyTurn, KeyValueStore, WriteOp } from "./types.js";
import { acquireKeys, type Release } from "./update-queue.js";
import { show, validateKeys } from "./validate.js";

/** What `compute` decides: the batch to write (empty: write nothing) and the value `update` resolves with. */
export interface UpdatePlan<T> {
  readonly ops: readonly WriteOp[];
  readonly result: T;
}

export interface UpdateResult<T> {
  readonly result: T;
  /** The seq of the batch written, or undefined when `compute` returned no ops. */
  readonly seq: number | undefined;
}

export type UpdateCompute<T> = (entries: ReadonlyMap<string, Entry | undefined>) => UpdatePlan<T> | Promise<UpdatePlan<T>>;

export interface UpdateOptions {
  /** Most attempts (read, compute, write) before the last `STORE_CONFLICT` is rethrown. Default 16. */
  readonly attemptsMax?: number;
  /** Cap of the random wait before the third and later attempts, in ms. Default 4. */
  readonly backoffMsMax?: number;
  /** How to wait `ms` milliseconds between attempts (tests inject their own). Default: setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Wait for this process's earlier `update()`s of the same store object on any of `keys` to finish
   * before reading (a FIFO per key), so that they never conflict with each other. Default true.
   * Turn it off only for a `compute` that itself awaits an `update()` of the same store on one of
   * these keys (queued, it would wait for itself). Off, the update takes no turn across processes
   * either (`readInTurn`): it reads with `getMany`.
   */
  readonly queue?: boolean;
  /**
   * Keys of `keys` that `compute` only reads (a guard such as a "maintenance" flag): queued shared,
   * so updates that only read a key run side by side, and wait only for one that may write it.
   * Still protected by a `check` precondition. Default none.
   */
  readonly sharedKeys?: readonly string[];
}

export const UPDATE_ATTEMPTS_MAX_DEFAULT = 16;
export const UPDATE_BACKOFF_MS_MAX_DEFAULT = 4;

const OPTION_NAMES = ["attemptsMax", "backoffMsMax", "sleep", "queue", "sharedKeys"];

/**
 * Read-modify-write with optimistic concurrency: reads `keys` at one point (`getMany`), lets
 * `compute` decide the batch, and writes it with a precondition on every key read (`ifVersion` on
 * the ops that write a read key, a `check` op for each read key they leave alone, so a decision
 * based on a key that must not change is protected too). On `STORE_CONFLICT` it starts again from
 * the read, up to `attemptsMax` attempts. An error thrown by `compute` (a domain rule) propagates
 * at once, never retried.
 *
 * Updates of one store object in this process take turns on their keys (see update-queue.ts), so
 * they never conflict with each other; conflicts come only from writers the queue does not see.
 * When the backend offers turns across processes (`readInTurn`, as @store/remote does), each
 * attempt reads in such a turn and writes through it, so updates of other processes that use turns
 * wait too instead of conflicting; turns are a hint, the preconditions stay.
 * Each conflict means such a write committed after this attempt's read, so with N of them
 * contending, no update needs more than N + 1 attempts: `attemptsMax` > N always terminates.
 */
export async function update<T>(kv: KeyValueStore, keys: readonly string[], compute: UpdateCompute<T>, options: UpdateOptions = {}): Promise<UpdateResult<T>> {
  const keyList = [...new Set(validateKeys(keys))];
  if (typeof compute !== "function") throw new TypeError(`update() takes a compute function, got ${show(compute)}.`);
  const { attemptsMax, backoffMsMax, sleep, queue, sharedKeys } = validateOptions(options, keyList);
  const release: Release | undefined = queue ? await acquireKeys(kv, keyList, sharedKeys) : undefined;
  // Turns across processes only behind the in-process queue: it orders this process's own turns, so
  // none waits for another of this process (a `queue: false` compute that awaits an update of the
  // same keys would otherwise wait, across the backend, for the turn its caller holds).
  const readInTurn = queue && typeof kv.readInTurn === "function" ? kv.readInTurn.bind(kv) : undefined;
  const turnOptions = sharedKeys.size === 0 ? undefined : { sharedKeys: [...sharedKeys] };
  const read: Read = readInTurn === undefined ? plainRead(kv, keyList) : () => readInTurn(keyList, turnOptions);
  try {
    return await attempts(read, keyList, compute, attemptsMax, backoffMsMax, sleep);
  } finally {
    release?.();
  }
}

/** One attempt's read: a turn of the backend's (`readInTurn`), or a plain `getMany` dressed as one. */
type Read = () => Promise<KeyTurn>;

function plainRead(kv: KeyValueStore, keyList: readonly string[]): Read {
  const turn = (entries: ReadonlyArray<Entry | undefined>): KeyTurn => ({ entries, batch: (ops) => kv.batch(ops), release: () => undefined });
  return async () => turn(await kv.getMany(keyList));
}

async function attempts<T>(
  read: Read,
  keyList: readonly string[],
  compute: UpdateCompute<T>,
  attemptsMax: number,
  backoffMsMax: number,
  sleep: (ms: number) => Promise<void>,
): Promise<UpdateResult<T>> {
  let lastConflict: unknown;
  for (let attempt = 1; attempt <= attemptsMax; attempt += 1) {
    // The first retry is immediate (a conflict usually means the other write is already done);
    // after that, a short random wait so that writers on a hot key on a remote backend spread out.
    if (attempt > 2) await sleep(Math.random() * Math.min(backoffMsMax, 2 ** (attempt - 3)));
    const turn = await read();
    try {
      const entries = turn.entries;
      const versions = new Map(keyList.map((key, index) => [key, entries[index]?.version ?? null]));
      const plan = checkPlan<T>(await compute(new Map(keyList.map((key, index) => [key, entries[index]]))));
      if (plan.ops.length === 0) return { result: plan.result, seq: undefined };
      const ops = withPreconditions(plan.ops, versions);
      try {
        const { seq } = await turn.batch(ops);
        return { result: plan.result, seq };
      } catch (error) {
        if (!isConflict(error)) throw error;
        lastConflict = error;
      }
    } finally {
      // Every way out gives the turn back: a compute error, no ops, a bad plan, a conflict (after a
      // batch this does nothing: the batch gave it back).
      turn.release();
    }
  }
  const key = (lastConflict as { key?: unknown }).key;
  const reason = lastConflict instanceof Error ? lastConflict.message : String(lastConflict);
  throw new StoreError(
    "STORE_CONFLICT",
    `update() gave up after ${attemptsMax} attempts, each met a newer write (last: ${reason}). The key is written by many at once: retry later, or raise attemptsMax.`,
    { key: typeof key === "string" ? key : undefined, cause: lastConflict },
  );
}

/** Told apart by `code`, never `instanceof`: the error may come from another copy of @store/fs. */
function isConflict(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "STORE_CONFLICT";
}

function withPreconditions(ops: readonly WriteOp[], versions: ReadonlyMap<string, number | null>): WriteOp[] {
  const result: WriteOp[] = [];
  const written = new Set<string>();
  for (const [index, op] of ops.entries()) {
    written.add(op.key);
    const ifVersion = versions.get(op.key);
    if (ifVersion === undefined) {
      result.push(op);
      continue;
    }
    if ("ifVersion" in op) {
      throw new TypeError(`update(): compute returned operation ${index} on key ${quote(op.key)} with its own ifVersion; update() sets the precondition of every key it read. Leave ifVersion out.`);
    }
    result.push({ ...op, ifVersion });
  }
  for (const [key, ifVersion] of versions) {
    if (!written.has(key)) result.push({ type: "check", key, ifVersion });
  }
  return result;
}

function checkPlan<T>(plan: unknown): UpdatePlan<T> {
  if (typeof plan !== "object" || plan === null || !Array.isArray((plan as { ops?: unknown }).ops)) {
    throw new TypeError(`update(): compute must return { ops: WriteOp[], result }, got ${show(plan)}.`);
  }
  for (const [index, op] of ((plan as { ops: unknown[] }).ops).entries()) {
    if (typeof op !== "object" || op === null || typeof (op as { key?: unknown }).key !== "string") {
      throw new TypeError(`update(): compute returned operation ${index} ${show(op)}; expected { type, key, ... }.`);
    }
  }
  return plan as UpdatePlan<T>;
}

interface ResolvedUpdateOptions {
  readonly attemptsMax: number;
  readonly backoffMsMax: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly queue: boolean;
  readonly sharedKeys: ReadonlySet<string>;
}

function validateOptions(options: UpdateOptions, keyList: readonly string[]): ResolvedUpdateOptions {
  if (typeof options !== "object" || (options as unknown) === null) throw new TypeError(`update() options must be an object, got ${show(options)}.`);
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.includes(name)) throw new TypeError(`update() has no option ${quote(name)}; the known ones are ${OPTION_NAMES.join(", ")}.`);
  }
  const { attemptsMax = UPDATE_ATTEMPTS_MAX_DEFAULT, backoffMsMax = UPDATE_BACKOFF_MS_MAX_DEFAULT, sleep = defaultSleep, queue = true, sharedKeys = [] } = options;
  if (!Number.isSafeInteger(attemptsMax) || attemptsMax < 1) throw new TypeError(`update() attemptsMax must be an integer from 1, got ${show(attemptsMax)}.`);
  if (!Number.isFinite(backoffMsMax) || backoffMsMax < 0) throw new TypeError(`update() backoffMsMax must be a number of ms from 0, got ${show(backoffMsMax)}.`);
  if (typeof sleep !== "function") throw new TypeError(`update() sleep must be a function, got ${show(sleep)}.`);
  if (typeof queue !== "boolean") throw new TypeError(`update() queue must be true or false, got ${show(queue)}.`);
  if (!Array.isArray(sharedKeys)) throw new TypeError(`update() sharedKeys must be an array of keys among those read, got ${show(sharedKeys)}.`);
  for (const key of sharedKeys as unknown[]) {
    if (typeof key !== "string" || !keyList.includes(key)) throw new TypeError(`update() sharedKeys names ${show(key)}, which is not one of the keys read; list only keys of \`keys\`.`);
  }
  return { attemptsMax, backoffMsMax, sleep, queue, sharedKeys: new Set(sharedKeys) };
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
