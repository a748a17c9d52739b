import { hash } from "node:crypto";
import type { JsonValue } from "@store/fs";
import { update, type Entry, type KeyValueStore, type WriteOp } from "@store/kv";
import { GameError } from "./errors.js";
import { show } from "./options.js";
import { pagesOut } from "./history.js";
import { IMPORT_KEY, gameKey, idemKey, playerKey, tokensKey } from "./keys.js";
import type { ResolvedOptions } from "./options.js";
import { GAME, HISTORY_PAGE, IDEM, IMPORT_MARKER, PLAYER, TOKENS, TOKENS_IN_OPERATION, emptyAccount, type GameRecord, type Player, type TokenRecord } from "./records.js";
import { decode, encode, type RecordKind } from "./schema.js";

/** What every operation needs: the store and the options. */
export interface Context {
  readonly kv: KeyValueStore;
  readonly options: ResolvedOptions;
  /** Throws GAME_CLOSED once the game layer is closed. */
  assertOpen(): void;
}

/**
 * Thrown by a plan that found it needs keys it did not declare (which ones depends on what it read:
 * the account a settlement's house share goes to). `perform` runs the operation again with them
 * declared; nothing was written.
 */
export class NeedKeys extends Error {
  readonly keys: readonly string[];

  constructor(keys: readonly string[]) {
    super(`The operation needs ${keys.join(", ")} as well.`);
    this.keys = keys;
  }
}

/**
 * One attempt of an operation: typed, decoded reads of the keys it declared, and the writes it
 * decides. A read sees the attempt's own earlier writes (a one-shot game stakes and pays the same
 * account in one batch). Reading a key that was not declared is a bug (it would not be protected
 * by a precondition), so it throws.
 */
export class Tx {
  readonly nowMs: number;
  readonly #historyMax: number;
  readonly #entries: ReadonlyMap<string, Entry | undefined>;
  readonly #writes = new Map<string, WriteOp>();
  /** Per player: tokens created and destroyed through their account, added to its counters by ops(). */
  readonly #counted = new Map<string, { granted: number; spent: number }>();

  constructor(entries: ReadonlyMap<string, Entry | undefined>, nowMs: number, historyMax: number) {
    // Every time an operation stores comes from here (the `now` option): a whole number of ms.
    if (!Number.isSafeInteger(nowMs) || nowMs < 0) throw new TypeError(`The now option must return a whole number of ms since the epoch, from 0; it returned ${show(nowMs)}.`);
    this.#entries = entries;
    this.nowMs = nowMs;
    this.#historyMax = historyMax;
  }

  /** Whether the operation declared (and so read, under a precondition) `key`. */
  declared(key: string): boolean {
    return this.#entries.has(key);
  }

  read<T>(kind: RecordKind<T>, key: string): T | undefined {
    if (!this.#entries.has(key)) throw new Error(`Bug: the operation read ${key} without declaring it.`);
    const written = this.#writes.get(key);
    // What this attempt wrote is a record it built and checked in set(): no need to check it again.
    if (written !== undefined) return written.type === "set" ? (written.value as T) : undefined;
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : decode(kind, key, entry.value);
  }

  /** The schema version `v` the key is stored with (older ones are rewritten in the current version when written). */
  storedVersion(key: string): number | undefined {
    const value = this.#entries.get(key)?.value;
    return typeof value === "object" && value !== null && !Array.isArray(value) && typeof value.v === "number" ? value.v : undefined;
  }

  player(id: string): Player | undefined {
    return this.read(PLAYER, playerKey(id));
  }

  account(id: string): TokenRecord {
    return this.read(TOKENS_IN_OPERATION, tokensKey(id)) ?? emptyAccount(id);
  }

  /** Writes the account, and any full page of its movements beside it (blind: see history.ts). */
  setAccount(account: TokenRecord): void {
    const split = pagesOut(account, this.#historyMax);
    for (const { key, page } of split.pages) this.set(HISTORY_PAGE, key, page);
    this.set(TOKENS, tokensKey(account.id), split.account);
  }

  game(id: string): GameRecord | undefined {
    return this.read(GAME, gameKey(id));
  }

  /**
   * Writes a record the operation built from records it read (decoded, so checked) and arguments it
   * checked: not checked again (that was ~6% of an operation's time). audit() checks every stored
   * record, and the model-based tests run it after every step.
   */
  set<T>(_kind: RecordKind<T>, key: string, record: T): void {
    this.#writes.set(key, { type: "set", key, value: record as JsonValue });
  }

  /** Writes a record made from outside data (the legacy functions' documents), checked against its schema first. */
  setChecked<T>(kind: RecordKind<T>, key: string, record: T): void {
    this.#writes.set(key, { type: "set", key, value: encode(kind, key, record) });
  }

  delete(key: string): void {
    this.#writes.set(key, { type: "delete", key });
  }

  /**
   * Counts tokens created (`granted`) or destroyed (`spent`) through the player's account (which the
   * operation declared), added to its counters when the batch is made: `audit()` sums them.
   */
  count(playerId: string, granted: number, spent: number): void {
    const total = this.#counted.get(playerId) ?? { granted: 0, spent: 0 };
    total.granted += granted;
    total.spent += spent;
    this.#counted.set(playerId, total);
  }

  ops(): WriteOp[] {
    for (const [playerId, change] of this.#counted) {
      if (change.granted === 0 && change.spent === 0) continue;
      const current = this.account(playerId);
      const next = { ...current, granted: current.granted + change.granted, spent: current.spent + change.spent };
      if (!Number.isSafeInteger(next.granted) || !Number.isSafeInteger(next.spent)) {
        throw new GameError("GAME_INVALID", `Player ${playerId}'s token counters would pass Number.MAX_SAFE_INTEGER; amounts this large cannot be counted exactly.`, { key: tokensKey(playerId), playerId });
      }
      this.setAccount(next);
    }
    return [...this.#writes.values()];
  }
}

export interface Operation<R extends JsonValue> {
  /** The operation's name, stored with its idempotency record. */
  readonly op: string;
  /** The request as given, hashed into the idempotency record: the same key with other arguments is refused. */
  readonly args: JsonValue;
  readonly idempotencyKey: string | undefined;
  /** Every key `plan` reads, as far as it is known before reading (a plan may ask for more: NeedKeys). */
  readonly keys: readonly string[];
  /** Decides the writes and the result from one consistent read. Throws a GameError to refuse. */
  plan(tx: Tx): R;
}

/**
 * Runs one operation as one conditional batch through `update()` (bounded retries on
 * `STORE_CONFLICT`). With an idempotency key, its record `idem/<key>` is read with the rest and
 * written in the same batch as the effect, holding the result: a repeat finds it and returns that
 * result without writing anything. Every operation also checks the import marker, so nothing runs
 * against a half-done legacy import.
 */
export async function perform<R extends JsonValue>(context: Context, operation: Operation<R>): Promise<R> {
  context.assertOpen();
  const { idempotencyKey } = operation;
  const idem = idempotencyKey === undefined ? undefined : idemKey(idempotencyKey);
  const fingerprint = idem === undefined ? "" : fingerprintOf(operation.op, operation.args);
  let keys = [...operation.keys, IMPORT_KEY, ...(idem === undefined ? [] : [idem])];
  for (let round = 1; ; round += 1) {
    try {
      return await attempt(context, operation, keys, idem, fingerprint);
    } catch (error) {
      if (!(error instanceof NeedKeys)) throw error;
      // Each round declares what the last one asked for, and a game's players never change order.
      if (round >= 3) throw new Error(`Bug: operation ${operation.op} still needs undeclared keys after ${round} rounds (${error.keys.join(", ")}).`);
      keys = [...keys, ...error.keys];
    }
  }
}

async function attempt<R extends JsonValue>(context: Context, operation: Operation<R>, keys: readonly string[], idem: string | undefined, fingerprint: string): Promise<R> {
  const { idempotencyKey } = operation;
  const { result } = await update(
    context.kv,
    keys,
    (entries) => {
      const tx = new Tx(entries, context.options.now(), context.options.historyMax);
      assertNoImportPending(tx);
      if (idem !== undefined) {
        const previous = tx.read(IDEM, idem);
        if (previous !== undefined) {
          if (previous.fingerprint !== fingerprint || previous.op !== operation.op) {
            throw new GameError(
              "GAME_IDEMPOTENCY_MISMATCH",
              `Idempotency key ${JSON.stringify(idempotencyKey)} was used at ${new Date(previous.atMs).toISOString()} for another request (${previous.op}); use a new key for a new request.`,
              { idempotencyKey, key: idem },
            );
          }
          return { ops: [], result: structuredClone(previous.result) as R };
        }
      }
      const result = operation.plan(tx);
      if (idem !== undefined) tx.set(IDEM, idem, { v: 1, atMs: tx.nowMs, op: operation.op, fingerprint, result });
      return { ops: tx.ops(), result };
    },
    // Every operation reads the import marker and none writes it: shared, so they do not queue on it.
    { attemptsMax: context.options.attemptsMax, sharedKeys: [IMPORT_KEY] },
  );
  return result;
}

function assertNoImportPending(tx: Tx): void {
  const marker = tx.read(IMPORT_MARKER, IMPORT_KEY);
  if (marker?.state === "pending") {
    throw new GameError(
      "GAME_IMPORT_PENDING",
      `A legacy import started at ${new Date(marker.startedAtMs).toISOString()} is not finished: wait for it, or if its process died, open the game again (createGame rolls an interrupted import back).`,
      { key: IMPORT_KEY },
    );
  }
}

function fingerprintOf(op: string, args: JsonValue): string {
  return hash("sha256", JSON.stringify([op, args]), "base64url").slice(0, 22);
}
