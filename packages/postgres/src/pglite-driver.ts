import type { Driver, Row, Session, Statement } from "./driver.js";
import { identifier } from "./driver.js";

/**
 * What the store uses of a PGlite instance (`@electric-sql/pglite` 0.5; PostgreSQL compiled to
 * WebAssembly, in this process). Typed structurally, so this package does not depend on it.
 */
export interface PGliteLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/**
 * A driver over one PGlite instance. PGlite is a single session: two transactions cannot
 * interleave on it, and a statement sent while another caller's transaction is open would run
 * inside it. So every session, one-shot query and LISTEN holds the instance exclusively, in turn.
 * Nothing is ever lost in transit, so STORE_UNKNOWN_OUTCOME cannot happen here.
 */
export function pgliteDriver(db: PGliteLike): Driver {
  const mutex = new Mutex();
  const run = async (statement: Statement, params: readonly unknown[]): Promise<Row[]> => (await db.query(statement.text, [...params])).rows as Row[];
  return {
    where: "PGlite",
    async query(statement: Statement, params: readonly unknown[] = []): Promise<Row[]> {
      const unlock = await mutex.lock();
      try {
        return await run(statement, params);
      } finally {
        unlock();
      }
    },
    async session(): Promise<Session> {
      const unlock = await mutex.lock();
      let released = false;
      return {
        backendPid: undefined,
        query: (statement, params = []) => run(statement, params),
        release(): void {
          if (released) return;
          released = true;
          unlock();
        },
      };
    },
    async listen(channel, onNotify) {
      const unlock = await mutex.lock();
      let unlisten: () => Promise<void>;
      try {
        unlisten = await db.listen(identifier(channel), onNotify);
      } finally {
        unlock();
      }
      return async () => {
        const again = await mutex.lock();
        try {
          await unlisten();
        } finally {
          again();
        }
      };
    },
    async end(): Promise<void> {
      // The PGlite instance is the caller's.
    },
  };
}

/** First come, first served. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => held);
    return ready;
  }
}
