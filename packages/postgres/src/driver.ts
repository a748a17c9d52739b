// The little the store needs of a PostgreSQL connection, so that the same SQL runs on a server
// through `pg` (pg-driver.ts) and embedded through PGlite (pglite-driver.ts).

export type Row = Readonly<Record<string, unknown>>;

/** One statement. `name` (unique per SQL text) lets a driver keep it prepared per connection. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export interface Queryable {
  query(statement: Statement, params?: readonly unknown[]): Promise<Row[]>;
}

/** A connection held for a transaction. */
export interface Session extends Queryable {
  /** The server process behind it, when known (for test hooks that terminate it). */
  readonly backendPid: number | undefined;
  /** Gives it back; `broken` closes it instead (its connection failed or its state is unknown). */
  release(broken: boolean): void;
}

export interface Driver extends Queryable {
  /** Where it connects, for messages: `host:port/database` (never a password). */
  readonly where: string;
  session(): Promise<Session>;
  /**
   * LISTENs on `channel` on a connection of its own. `onLost` is called once if that connection
   * fails; no notification follows. The returned function UNLISTENs and gives the connection back.
   */
  listen(channel: string, onNotify: (payload: string) => void, onLost: (error: unknown) => void): Promise<() => Promise<void>>;
  /** Closes what the driver opened itself (not a pool the caller passed in). */
  end(): Promise<void>;
}

/** A channel or schema name as a quoted SQL identifier (names are checked to be [a-z0-9_]). */
export function identifier(name: string): string {
  return `"${name}"`;
}
