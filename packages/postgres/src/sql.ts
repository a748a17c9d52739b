import type { Statement } from "./driver.js";
import { identifier } from "./driver.js";

// Every statement the store sends, for one schema. Keys cross as the hex of their sort key
// (`decode(x, 'hex')`), lists of rows as one `json` parameter (`json_to_recordset`): both work the
// same through `pg` and PGlite, with no driver-specific array or bytea encoding.

export const BEGIN: Statement = { name: "", text: "BEGIN ISOLATION LEVEL READ COMMITTED" };
export const COMMIT: Statement = { name: "", text: "COMMIT" };
export const ROLLBACK: Statement = { name: "", text: "ROLLBACK" };
export const BEGIN_SNAPSHOT: Statement = { name: "", text: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" };

export interface ScanShape {
  readonly from: boolean;
  readonly to: boolean;
  readonly after: boolean;
  readonly reverse: boolean;
}

export class Statements {
  readonly schema: string;
  /** Locks the counter row: every writer takes it first, so commits happen one at a time, in seq order. */
  readonly lockCounter: Statement;
  readonly counter: Statement;
  /** `$1`: a JSON array of sort keys (hex). */
  readonly versions: Statement;
  readonly get: Statement;
  readonly getMany: Statement;
  /** `$1`: after this seq; `$2`: at most this many. */
  readonly changesAfter: Statement;
  readonly write: Statement;
  readonly #scans = new Map<string, Statement>();
  readonly #table: (name: string) => string;

  constructor(schema: string) {
    this.schema = schema;
    const t = (name: string): string => `${identifier(schema)}.${name}`;
    this.#table = t;
    const n = (name: string): string => `${schema}:${name}`;
    this.lockCounter = { name: n("lock"), text: `SELECT seq, keys, history_floor FROM ${t("counter")} FOR UPDATE` };
    this.counter = { name: n("counter"), text: `SELECT seq, keys, history_floor FROM ${t("counter")}` };
    this.versions = {
      name: n("versions"),
      text: `SELECT key, version FROM ${t("entries")} WHERE sort_key IN (SELECT decode(x, 'hex') FROM json_array_elements_text($1::json) AS x)`,
    };
    this.get = { name: n("get"), text: `SELECT key, value, version FROM ${t("entries")} WHERE sort_key = decode($1, 'hex')` };
    this.getMany = {
      name: n("getmany"),
      text: `SELECT key, value, version FROM ${t("entries")} WHERE sort_key IN (SELECT decode(x, 'hex') FROM json_array_elements_text($1::json) AS x)`,
    };
    this.changesAfter = { name: n("changes"), text: `SELECT seq, ops FROM ${t("changes")} WHERE seq > $1::bigint ORDER BY seq LIMIT $2::int` };
    this.write = { name: n("write"), text: writeText(t) };
  }

  /** The scan statement for a shape; its parameters are from, to, after (those present), then limit. */
  scan(shape: ScanShape): Statement {
    const id = `${shape.from ? "f" : ""}${shape.to ? "t" : ""}${shape.after ? "a" : ""}${shape.reverse ? "r" : ""}`;
    let statement = this.#scans.get(id);
    if (statement === undefined) {
      const conditions: string[] = [];
      let index = 0;
      if (shape.from) conditions.push(`sort_key >= decode($${++index}, 'hex')`);
      if (shape.to) conditions.push(`sort_key < decode($${++index}, 'hex')`);
      if (shape.after) conditions.push(`sort_key ${shape.reverse ? "<" : ">"} decode($${++index}, 'hex')`);
      const where = conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}`;
      const text = `SELECT key, value, version FROM ${this.#table("entries")}${where} ORDER BY sort_key${shape.reverse ? " DESC" : ""} LIMIT $${++index}::int`;
      statement = { name: `${this.schema}:scan${id}`, text };
      this.#scans.set(id, statement);
    }
    return statement;
  }
}

// One statement writes a whole commit group, under the counter lock taken before it:
//   $1 json [{ sk, key, value (null: delete), version }]   the net change of every key written
//   $2 json [{ seq, ops }]                                   one change row per batch, for subscribers
//   $3 the history floor before (every change at or below it is deleted)
//   $4 the floor count retention asks for (new seq - changeHistoryMax)
//   $5 age retention: changes older than this many ms go (null: no age limit)
//   $6 how many of the oldest changes age retention looks at in this commit
//   $7 the new seq   $8 the change in the live key count   $9 the NOTIFY channel
// Age retention only ever removes an unbroken run from the oldest change up (bool_and over the
// rows in seq order), so what is kept is always every change above the floor: subscribers detect
// a removed change as a gap in the dense seqs, and the floor says where history starts.
// Data-modifying CTEs all run, referenced or not; NOTIFY is sent when the transaction commits.
function writeText(t: (name: string) => string): string {
  return `WITH input AS (
  SELECT sk, key, value, version FROM json_to_recordset($1::json) AS r(sk text, key text, value text, version bigint)
), upserted AS (
  INSERT INTO ${t("entries")} (sort_key, key, value, version)
  SELECT decode(sk, 'hex'), key, value, version FROM input WHERE value IS NOT NULL
  ON CONFLICT (sort_key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version
), deleted AS (
  DELETE FROM ${t("entries")} WHERE sort_key IN (SELECT decode(sk, 'hex') FROM input WHERE value IS NULL)
), logged AS (
  INSERT INTO ${t("changes")} (seq, committed_at, ops)
  SELECT seq, clock_timestamp(), ops FROM json_to_recordset($2::json) AS c(seq bigint, ops text)
), aged AS (
  SELECT max(seq) AS floor FROM (
    SELECT seq, bool_and(committed_at < clock_timestamp() - $5::bigint * interval '1 millisecond') OVER (ORDER BY seq) AS old
    FROM (SELECT seq, committed_at FROM ${t("changes")} WHERE seq > $3::bigint ORDER BY seq LIMIT $6::int) AS oldest
  ) AS scanned WHERE old
), bounds AS (
  SELECT greatest($3::bigint, $4::bigint, (SELECT floor FROM aged)) AS floor
), pruned AS (
  DELETE FROM ${t("changes")} WHERE seq > $3::bigint AND seq <= (SELECT floor FROM bounds)
), counted AS (
  UPDATE ${t("counter")} SET seq = $7::bigint, keys = keys + $8::bigint, history_floor = (SELECT floor FROM bounds)
)
SELECT (SELECT floor FROM bounds) AS history_floor, pg_notify($9::text, $7::text)::text AS notified`;
}
