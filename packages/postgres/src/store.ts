import {
  validateKey,
  validateKeys,
  validateScanOptions,
  validateSubscribe,
  validateWriteOps,
  type ChangeListener,
  type Entry,
  type KeyValueStats,
  type KeyValueStore,
  type ScanOptions,
  type SubscribeOptions,
  type Subscription,
  type WriteOp,
  type WriteResult,
} from "@store/kv";
import type { JsonValue } from "@store/fs";
import { Committer, type CommitHooks } from "./committer.js";
import type { Driver, Row, Session, Statement } from "./driver.js";
import { closedError, isStatementError, unavailable } from "./errors.js";
import { ChangeFeed } from "./feed.js";
import { safeInteger } from "./numbers.js";
import type { ResolvedOptions } from "./options.js";
import { prefixRange, sortKeyHex } from "./sort-key.js";
import { BEGIN_SNAPSHOT, ROLLBACK, Statements } from "./sql.js";

/** `stats()` of a PostgreSQL store: the contract's fields and where its change history starts. */
export interface PostgresStoreStats extends KeyValueStats {
  /** `subscribe({ afterSeq })` works for any afterSeq from this one on (older changes were deleted by retention). */
  readonly historyFloorSeq: number;
}

/** Every live entry of the store as of one seq, streamed in key order (`PostgresStore.exportEntries`). */
export interface PostgresExport {
  /** Every entry is exactly as of this seq. */
  readonly seq: number;
  /** How many entries there are at that seq. */
  readonly keys: number;
  /** The entries in key order, read page by page inside one snapshot. Iterate once. */
  entries(): AsyncGenerator<Entry>;
  /** Ends the snapshot's transaction and gives its connection back. Idempotent. */
  close(): Promise<void>;
}

/** Rows per page of an export. */
const EXPORT_PAGE_ROWS = 1_000;

/**
 * The KeyValueStore on PostgreSQL. Reads are single statements (each one snapshot, so `getMany`
 * and a scan page see a batch whole or not at all); writes go through the Committer (one
 * transaction per group of batches, in seq order); subscriptions through the ChangeFeed. Input is
 * checked by the contract's validators first, so a refused call sends nothing to the server.
 */
export class PostgresStore implements KeyValueStore {
  readonly #driver: Driver;
  readonly #sql: Statements;
  readonly #committer: Committer;
  readonly #feed: ChangeFeed;
  readonly #exports = new Set<PostgresExport>();
  #closing: Promise<void> | undefined;

  constructor(driver: Driver, options: ResolvedOptions, hooks: CommitHooks) {
    this.#driver = driver;
    this.#sql = new Statements(options.schema);
    this.#feed = new ChangeFeed(driver, this.#sql, options);
    this.#committer = new Committer(driver, this.#sql, options, hooks, (lastSeq, events) => {
      this.#feed.committed(lastSeq, events);
    });
  }

  async get(key: string): Promise<Entry | undefined> {
    this.#assertOpen();
    const [row] = await this.#read(this.#sql.get, [sortKeyHex(validateKey(key))]);
    return row === undefined ? undefined : entryOf(row);
  }

  async getMany(keys: readonly string[]): Promise<Array<Entry | undefined>> {
    this.#assertOpen();
    const checked = validateKeys(keys);
    if (checked.length === 0) return [];
    const rows = await this.#read(this.#sql.getMany, [JSON.stringify([...new Set(checked)].map(sortKeyHex))]);
    const byKey = new Map(rows.map((row) => [row["key"] as string, row]));
    // A key asked twice gets two entries with their own copies of the value.
    return checked.map((key) => {
      const row = byKey.get(key);
      return row === undefined ? undefined : entryOf(row);
    });
  }

  async scan(options?: ScanOptions): Promise<Entry[]> {
    this.#assertOpen();
    const { prefix, after, limit, reverse } = validateScanOptions(options);
    const { from, to } = prefixRange(prefix);
    const params: unknown[] = [];
    if (from !== undefined) params.push(from);
    if (to !== undefined) params.push(to);
    if (after !== undefined) params.push(sortKeyHex(after));
    params.push(limit);
    const statement = this.#sql.scan({ from: from !== undefined, to: to !== undefined, after: after !== undefined, reverse });
    return (await this.#read(statement, params)).map(entryOf);
  }

  async batch(ops: readonly WriteOp[]): Promise<WriteResult> {
    this.#assertOpen();
    return this.#committer.submit(validateWriteOps(ops));
  }

  async subscribe(listener: ChangeListener, options?: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    const checked = validateSubscribe(listener, options);
    return this.#feed.subscribe(checked.listener, checked);
  }

  async stats(): Promise<PostgresStoreStats> {
    this.#assertOpen();
    const [row] = await this.#read(this.#sql.counter, []);
    return {
      seq: safeInteger(row?.["seq"], "counter.seq"),
      keys: safeInteger(row?.["keys"], "counter.keys"),
      historyFloorSeq: safeInteger(row?.["history_floor"], "counter.history_floor"),
    };
  }

  /**
   * Every live entry as of one seq, for a copy to another store (`store migrate`): one REPEATABLE
   * READ transaction, so pages read at different moments still show one state, however the store
   * is written meanwhile. Holds one connection until its `close()` or the store's (on PGlite, the
   * whole database).
   */
  async exportEntries(): Promise<PostgresExport> {
    this.#assertOpen();
    let session: Session;
    try {
      session = await this.#driver.session();
    } catch (error) {
      throw unavailable("Exporting", this.#driver.where, error);
    }
    let seq: number;
    let keys: number;
    try {
      await session.query(BEGIN_SNAPSHOT);
      const [row] = await session.query(this.#sql.counter);
      seq = safeInteger(row?.["seq"], "counter.seq");
      keys = safeInteger(row?.["keys"], "counter.keys");
    } catch (error) {
      session.release(true);
      throw unavailable("Exporting", this.#driver.where, error);
    }
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      this.#exports.delete(exported);
      try {
        await session.query(ROLLBACK);
        session.release(false);
      } catch {
        session.release(true);
      }
    };
    const where = this.#driver.where;
    const sql = this.#sql;
    async function* entries(): AsyncGenerator<Entry> {
      let after: string | undefined;
      for (;;) {
        const statement = sql.scan({ from: false, to: false, after: after !== undefined, reverse: false });
        let rows: Row[];
        try {
          rows = await session.query(statement, after === undefined ? [EXPORT_PAGE_ROWS] : [after, EXPORT_PAGE_ROWS]);
        } catch (error) {
          throw unavailable("Exporting", where, error);
        }
        for (const row of rows) yield entryOf(row);
        if (rows.length < EXPORT_PAGE_ROWS) return;
        after = sortKeyHex(rows[rows.length - 1]!["key"] as string);
      }
    }
    const exported: PostgresExport = { seq, keys, entries, close };
    this.#exports.add(exported);
    return exported;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // An export left open holds a connection: the pool would wait for it forever.
    await Promise.all([...this.#exports].map((exported) => exported.close()));
    await this.#committer.idle();
    await this.#feed.close();
    await this.#driver.end();
  }

  #assertOpen(): void {
    // After close every call rejects STORE_CLOSED, before any check of its arguments.
    if (this.#closing !== undefined) throw closedError(this.#driver.where);
  }

  // A pooled connection that died while idle is only found out when used: a read that fails on the
  // connection (not with an ordinary SQL error) is tried once more.
  async #read(statement: Statement, params: unknown[]): Promise<Row[]> {
    try {
      return await this.#driver.query(statement, params);
    } catch (error) {
      if (isStatementError(error)) throw unavailable("Reading", this.#driver.where, error);
      try {
        return await this.#driver.query(statement, params);
      } catch (again) {
        throw unavailable("Reading", this.#driver.where, again);
      }
    }
  }
}

function entryOf(row: Row): Entry {
  // Parsed per read: the caller gets its own copy, which cannot change the store.
  return { key: row["key"] as string, value: JSON.parse(row["value"] as string) as JsonValue, version: safeInteger(row["version"], "entries.version") };
}
