import { StoreError, quote, type JsonValue } from "@store/fs";
import type { ChangeEvent, ChangeOp, ValidatedBatch, WriteResult } from "@store/kv";
import type { Driver, Session } from "./driver.js";
import { isStatementError, unavailable, unknownOutcome } from "./errors.js";
import { safeInteger } from "./numbers.js";
import type { ResolvedOptions } from "./options.js";
import { sortKeyHex } from "./sort-key.js";
import { BEGIN, COMMIT, ROLLBACK, type Statements } from "./sql.js";

/** Test hooks: called inside the write transaction, so a test can cut the connection at that point. */
export interface CommitHooks {
  /** The counter lock is held and the preconditions were checked; nothing is written yet. */
  readonly afterCheck?: (context: { readonly backendPid: number | undefined }) => Promise<void> | void;
  /** Everything is written; COMMIT is sent when this resolves. */
  readonly beforeCommit?: (context: { readonly backendPid: number | undefined }) => Promise<void> | void;
}

interface Pending {
  readonly batch: ValidatedBatch;
  readonly resolve: (result: WriteResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly seq: number } | { readonly conflict: StoreError };

/** What a commit hands the change feed: the new seq, and the group's events, made on demand. */
export type CommittedListener = (lastSeq: number, events: () => ChangeEvent[]) => void;

// Seq order must be commit order, or a subscriber reading "every change after the last seq I saw"
// could pass over one that commits late. So every write transaction first locks the single counter
// row (`SELECT ... FOR UPDATE`), takes the next seqs from it and commits holding it: transactions
// that write commit one at a time, in seq order, across every process on the database, and seqs
// are dense (a transaction that rolls back gives its seqs back). The price is that writers do not
// overlap on the server; group commit wins the throughput back: every batch submitted while a
// transaction runs goes into the next one (up to commitGroupBatchesMax), each with its own seq and
// its own preconditions, checked in order against the state the batches before it leave.
export class Committer {
  readonly #driver: Driver;
  readonly #sql: Statements;
  readonly #options: ResolvedOptions;
  readonly #hooks: CommitHooks;
  readonly #onCommitted: CommittedListener;
  #queue: Pending[] = [];
  #running = false;
  #idleWaiters: Array<() => void> = [];

  constructor(driver: Driver, sql: Statements, options: ResolvedOptions, hooks: CommitHooks, onCommitted: CommittedListener) {
    this.#driver = driver;
    this.#sql = sql;
    this.#options = options;
    this.#hooks = hooks;
    this.#onCommitted = onCommitted;
  }

  submit(batch: ValidatedBatch): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ batch, resolve, reject });
      if (this.#running) return;
      this.#running = true;
      // Start on the next microtask, so that batches submitted in the same turn share a transaction.
      queueMicrotask(() => void this.#drain());
    });
  }

  /** Resolves once every batch submitted so far has settled. */
  idle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) await this.#commit(this.#takeGroup());
    this.#running = false;
    for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  #takeGroup(): Pending[] {
    let bytes = 0;
    let count = 0;
    while (count < this.#queue.length && count < this.#options.commitGroupBatchesMax) {
      const next = this.#queue[count]!.batch.bytes;
      if (count > 0 && bytes + next > this.#options.commitGroupBytesMax) break;
      bytes += next;
      count += 1;
    }
    return this.#queue.splice(0, count);
  }

  async #commit(group: Pending[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.#transactRetrying(group);
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return;
    }
    for (const [index, outcome] of outcomes.entries()) {
      if ("seq" in outcome) group[index]!.resolve({ seq: outcome.seq });
      else group[index]!.reject(outcome.conflict);
    }
  }

  // A pooled connection that died while idle is only found out when used: one failure before
  // COMMIT (nothing written) is retried at once on another connection.
  async #transactRetrying(group: readonly Pending[]): Promise<Outcome[]> {
    try {
      return await this.#transact(group);
    } catch (error) {
      if (!(error instanceof StoreError) || error.code !== "STORE_UNAVAILABLE" || isStatementError(error.cause)) throw error;
      return await this.#transact(group);
    }
  }

  async #transact(group: readonly Pending[]): Promise<Outcome[]> {
    let session: Session;
    try {
      session = await this.#driver.session();
    } catch (error) {
      throw unavailable("Writing a batch", this.#driver.where, error);
    }
    let planned: Plan;
    try {
      await session.query(BEGIN);
      const [counter] = await session.query(this.#sql.lockCounter);
      const versions = await session.query(this.#sql.versions, [JSON.stringify(keysOf(group).map(sortKeyHex))]);
      planned = plan(group, counter, versions);
      await this.#hooks.afterCheck?.({ backendPid: session.backendPid });
      if (planned.lastSeq === undefined) {
        // Every batch conflicted: nothing to write.
        await session.query(ROLLBACK);
        session.release(false);
        return planned.outcomes;
      }
      await session.query(this.#sql.write, this.#writeParams(planned, safeInteger(counter?.["history_floor"], "counter.history_floor")));
      await this.#hooks.beforeCommit?.({ backendPid: session.backendPid });
    } catch (error) {
      session.release(true);
      throw error instanceof StoreError ? error : unavailable("Writing a batch", this.#driver.where, error);
    }
    try {
      await session.query(COMMIT);
    } catch (error) {
      session.release(true);
      // An ERROR answer to COMMIT on a live connection means it rolled back; anything else
      // (a closed socket, FATAL) leaves the outcome unknown.
      throw isStatementError(error) ? unavailable("Committing a batch", this.#driver.where, error) : unknownOutcome(this.#driver.where, error);
    }
    session.release(false);
    this.#onCommitted(planned.lastSeq, () => planned.events.map(eventOf));
    return planned.outcomes;
  }

  #writeParams(planned: Plan, floor: number): unknown[] {
    const lastSeq = planned.lastSeq!;
    const countFloor = Math.max(floor, lastSeq - this.#options.changeHistoryMax);
    const changes = planned.events.filter((event) => event.seq > countFloor).map((event) => ({ seq: event.seq, ops: opsJson(event.batch) }));
    const age = this.#options.changeHistoryAgeMsMax;
    return [
      JSON.stringify(planned.rows),
      JSON.stringify(changes),
      floor,
      countFloor,
      Number.isFinite(age) ? age : null,
      planned.events.length * 2 + 16,
      lastSeq,
      planned.keysDelta,
      this.#sql.schema,
    ];
  }
}

interface PlannedEvent {
  readonly seq: number;
  readonly batch: ValidatedBatch;
}

interface Plan {
  readonly outcomes: Outcome[];
  /** The seq of the last batch that commits; undefined when none does. */
  readonly lastSeq: number | undefined;
  readonly events: PlannedEvent[];
  /** The net change of every key written: `value` null deletes it. */
  readonly rows: Array<{ sk: string; key: string; value: string | null; version: number | null }>;
  readonly keysDelta: number;
}

function keysOf(group: readonly Pending[]): string[] {
  const keys = new Set<string>();
  for (const { batch } of group) {
    for (const { key } of batch.preconditions) keys.add(key);
    for (const { key } of batch.writes) keys.add(key);
  }
  return [...keys];
}

/** Checks each batch's preconditions, in order, against the state the batches before it leave. */
function plan(group: readonly Pending[], counter: Readonly<Record<string, unknown>> | undefined, versionRows: ReadonlyArray<Readonly<Record<string, unknown>>>): Plan {
  let seq = safeInteger(counter?.["seq"], "counter.seq");
  const stored = new Map<string, number>();
  for (const row of versionRows) stored.set(row["key"] as string, safeInteger(row["version"], "entries.version"));
  const latest = new Map<string, { version: number | null; json: string | null }>();
  const versionOf = (key: string): number | null => (latest.has(key) ? latest.get(key)!.version : (stored.get(key) ?? null));
  const outcomes: Outcome[] = [];
  const events: PlannedEvent[] = [];
  for (const { batch } of group) {
    const failed = batch.preconditions.find(({ key, ifVersion }) => versionOf(key) !== ifVersion);
    if (failed !== undefined) {
      outcomes.push({ conflict: conflictError(failed.key, failed.ifVersion, versionOf(failed.key)) });
      continue;
    }
    seq += 1;
    if (!Number.isSafeInteger(seq)) throw new StoreError("STORE_FAILED", `The store's seq would pass 2^53 - 1 (Number.MAX_SAFE_INTEGER).`);
    for (const write of batch.writes) latest.set(write.key, write.type === "set" ? { version: seq, json: write.json } : { version: null, json: null });
    outcomes.push({ seq });
    events.push({ seq, batch });
  }
  const rows: Plan["rows"] = [];
  let keysDelta = 0;
  for (const [key, state] of latest) {
    const existed = stored.has(key);
    if (state.json === null && !existed) continue;
    rows.push({ sk: sortKeyHex(key), key, value: state.json, version: state.version });
    keysDelta += (state.json === null ? 0 : 1) - (existed ? 1 : 0);
  }
  return { outcomes, lastSeq: events.length === 0 ? undefined : seq, events, rows, keysDelta };
}

function conflictError(key: string, expected: number | null, found: number | null): StoreError {
  const wanted = expected === null ? "no entry" : `version ${expected}`;
  const actual = found === null ? "no entry" : `version ${found}`;
  return new StoreError(
    "STORE_CONFLICT",
    `The batch's precondition on key ${quote(key)} failed: it expected ${wanted}, the store has ${actual}. Nothing was written; read again and retry (update() does).`,
    { key },
  );
}

/** A batch's sets and deletes as stored in the change table: the event's `ops`, as JSON text. */
function opsJson(batch: ValidatedBatch): string {
  const ops = batch.writes.map((write) =>
    write.type === "set" ? `{"type":"set","key":${JSON.stringify(write.key)},"value":${write.json}}` : `{"type":"delete","key":${JSON.stringify(write.key)}}`,
  );
  return `[${ops.join(",")}]`;
}

function eventOf({ seq, batch }: PlannedEvent): ChangeEvent {
  // Parsed from the JSON text: a copy the caller's object cannot reach, frozen for every subscriber.
  const ops: ChangeOp[] = batch.writes.map((write) =>
    write.type === "set" ? { type: "set", key: write.key, value: JSON.parse(write.json) as JsonValue } : { type: "delete", key: write.key },
  );
  return deepFreeze({ seq, ops });
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
