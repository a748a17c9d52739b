import type { JsonValue } from "@store/fs";
import { scanAll, type WriteOp } from "@store/kv";
import { hasCode } from "./errors.js";
import type { FollowHandler } from "./follower.js";
import { refund, type RefundResult } from "./games.js";
import { PREFIX, gameKey } from "./keys.js";
import { GAME, IDEM } from "./records.js";
import { decode } from "./schema.js";
import type { Context } from "./tx.js";

export type SweepReport = {
  /** Games past their expiry, refunded by this sweep. */
  refunded: RefundResult[];
  /** Idempotency records older than `idempotencyTtlMs`, deleted by this sweep. */
  idempotencyRecordsRemoved: number;
};

/** Every game's expiry time, from the follower (so games created by other processes expire too). */
export class ExpiryIndex implements FollowHandler {
  readonly prefix = PREFIX.games;
  readonly #expiresAtMs = new Map<string, number>();

  apply(key: string, value: JsonValue | undefined): void {
    const id = key.slice(this.prefix.length);
    if (value === undefined) {
      this.#expiresAtMs.delete(id);
      return;
    }
    const expiresAtMs = expiryOf(id, key, value);
    // A record failing its schema cannot be refunded safely; audit() lists it.
    if (expiresAtMs === undefined) this.#expiresAtMs.delete(id);
    else this.#expiresAtMs.set(id, expiresAtMs);
  }

  /** Leaves a game out of later sweeps (its record failed the schema when its refund read it). */
  forget(id: string): void {
    this.#expiresAtMs.delete(id);
  }

  reset(): void {
    this.#expiresAtMs.clear();
  }

  /** Games whose expiry is at or before `nowMs`, earliest first. */
  due(nowMs: number): string[] {
    return [...this.#expiresAtMs]
      .filter(([, expiresAtMs]) => expiresAtMs <= nowMs)
      .sort((a, b) => a[1] - b[1])
      .map(([id]) => id);
  }
}

/**
 * The expiry of a game record, or undefined for one that fails its schema. Every shard's follower
 * reads every game written by any of them, so a current-version record is read by its three
 * fields, not the whole schema (3.6% of a socket client's CPU in the bench); the sweep's refund
 * decodes the record in full before it writes anything, and forgets a game that fails there.
 */
function expiryOf(id: string, key: string, value: JsonValue): number | undefined {
  if (typeof value === "object" && value !== null && !Array.isArray(value) && value.v === GAME.current) {
    const { expiresAtMs } = value;
    if (value.id === id && typeof expiresAtMs === "number" && Number.isSafeInteger(expiresAtMs) && expiresAtMs >= 0) return expiresAtMs;
  }
  try {
    return decode(GAME, key, value).expiresAtMs;
  } catch {
    return undefined;
  }
}

const IDEM_DELETE_BATCH = 500;

/**
 * Expiry is data (`expiresAtMs`), not a timer: a sweep refunds every game past it, whenever it
 * runs. `createGame` sweeps once at start (so games that expired while no process was running are
 * refunded), then every `sweepIntervalMs`. A refund is one conditional batch that deletes the game,
 * so each game is refunded exactly once, even with several processes sweeping.
 */
export class Sweeper {
  readonly #context: Context;
  readonly #expiry: ExpiryIndex;
  #lastIdempotencySweepMs = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepReport> | undefined;
  #stopped = false;

  constructor(context: Context, expiry: ExpiryIndex) {
    this.#context = context;
    this.#expiry = expiry;
  }

  /** Runs one sweep now (joins one already running). */
  sweep(): Promise<SweepReport> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  start(): void {
    const intervalMs = this.#context.options.sweepIntervalMs;
    if (intervalMs === 0 || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.sweep().then(
        () => {
          this.start();
        },
        (error: unknown) => {
          if (!this.#stopped) this.#context.options.onError(error);
          this.start();
        },
      );
    }, intervalMs);
    // The sweeper never keeps a process alive on its own.
    this.#timer.unref();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  async #sweep(): Promise<SweepReport> {
    const refunded: RefundResult[] = [];
    for (const id of this.#expiry.due(this.#context.options.now())) {
      if (this.#stopped) break;
      try {
        const result = await refund(this.#context, id, { idempotencyKey: undefined, onlyExpired: true });
        if (result !== undefined) refunded.push(result);
      } catch (error) {
        // Someone else settled or refunded it meanwhile, or it is busy: the next sweep looks again.
        if (hasCode(error, "STORE_CONFLICT")) continue;
        if (hasCode(error, "GAME_SCHEMA")) {
          // The game's record: reported once, and it stays as it is (audit() lists it) until a write
          // replaces it. A staking player's account: reported at every sweep until it is mended.
          if ((error as { key?: unknown }).key === gameKey(id)) this.#expiry.forget(id);
          this.#context.options.onError(error);
          continue;
        }
        if (hasCode(error, "GAME_IMPORT_PENDING")) {
          this.#context.options.onError(error);
          continue;
        }
        throw error;
      }
    }
    return { refunded, idempotencyRecordsRemoved: await this.#sweepIdempotency() };
  }

  /** Deletes idempotency records older than `idempotencyTtlMs`, at most once per `idempotencySweepIntervalMs`. */
  async #sweepIdempotency(): Promise<number> {
    const { now, idempotencyTtlMs, idempotencySweepIntervalMs, scanPageSize } = this.#context.options;
    const nowMs = now();
    if (nowMs - this.#lastIdempotencySweepMs < idempotencySweepIntervalMs) return 0;
    this.#lastIdempotencySweepMs = nowMs;
    let removed = 0;
    let pending: WriteOp[] = [];
    const flush = async (): Promise<void> => {
      const ops = pending;
      pending = [];
      if (ops.length === 0) return;
      try {
        await this.#context.kv.batch(ops);
        removed += ops.length;
      } catch (error) {
        // A record rewritten since the scan (its key reused): leave this group for the next sweep.
        if (!hasCode(error, "STORE_CONFLICT")) throw error;
      }
    };
    for await (const entry of scanAll(this.#context.kv, { prefix: PREFIX.idem, pageSize: scanPageSize })) {
      if (this.#stopped) break;
      // Only the time is needed: read it without the full schema check (there can be many records).
      const value = entry.value;
      const atMs = typeof value === "object" && value !== null && !Array.isArray(value) && value.v === IDEM.current ? value.atMs : undefined;
      if (typeof atMs !== "number") continue; // an older or broken record: audit() lists it
      if (atMs + idempotencyTtlMs > nowMs) continue;
      pending.push({ type: "delete", key: entry.key, ifVersion: entry.version });
      if (pending.length >= IDEM_DELETE_BATCH) await flush();
    }
    await flush();
    return removed;
  }
}
