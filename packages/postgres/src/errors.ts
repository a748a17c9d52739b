import { StoreError } from "@store/fs";

// How a failure of the server or of the connection reaches the caller. The one distinction that
// matters to a writer: was COMMIT sent? Before it, the server rolls back whatever it was doing when
// the session ends, so nothing was written (`STORE_UNAVAILABLE`, safe to retry). After it, the
// answer may have been lost on its way back: the write may or may not be applied
// (`STORE_UNKNOWN_OUTCOME`; retry only with the same idempotency key).

/** What PostgreSQL's and node-postgres' errors carry, read structurally (never by class). */
interface PgErrorFields {
  readonly code?: unknown;
  readonly severity?: unknown;
  readonly message?: unknown;
}

function fieldsOf(error: unknown): PgErrorFields {
  return typeof error === "object" && error !== null ? error : {};
}

/**
 * True when `error` is an ordinary ERROR answered on a working connection (a constraint, a
 * timeout, a bad statement): the session is still usable and the transaction was rolled back.
 * Anything else (FATAL, a closed socket, a refused connection) means the session is gone.
 */
export function isStatementError(error: unknown): boolean {
  const { severity, code } = fieldsOf(error);
  return severity === "ERROR" && typeof code === "string" && !code.startsWith("08") && !code.startsWith("57P");
}

function reasonOf(error: unknown): string {
  const { code, message } = fieldsOf(error);
  const text = typeof message === "string" ? message : String(error);
  return typeof code === "string" ? `${text} (${code})` : text;
}

/** A failure before COMMIT was sent, or of a read: nothing was written. */
export function unavailable(action: string, where: string, cause: unknown): StoreError {
  return new StoreError(
    "STORE_UNAVAILABLE",
    `${action} failed on PostgreSQL (${where}): ${reasonOf(cause)}. Nothing was written; retry once the server is reachable.`,
    { cause },
  );
}

/** The connection failed after COMMIT was sent: the batch may or may not be applied. */
export function unknownOutcome(where: string, cause: unknown): StoreError {
  return new StoreError(
    "STORE_UNKNOWN_OUTCOME",
    `The connection to PostgreSQL (${where}) failed after COMMIT was sent: ${reasonOf(cause)}. The batch may or may not be applied; retry it only with the same idempotency key (or read to find out).`,
    { cause },
  );
}

export function closedError(where: string): StoreError {
  return new StoreError("STORE_CLOSED", `The PostgreSQL store (${where}) is closed; open it again.`);
}
