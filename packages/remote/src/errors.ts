import { StoreError, type StoreErrorCode } from "@store/fs";

/**
 * The codes this package adds to the contract's (`STORE_UNAVAILABLE`, `STORE_UNKNOWN_OUTCOME` and
 * `STORE_HISTORY_GONE` are the contract's own):
 * - `STORE_PROTOCOL`: the other end does not speak this protocol or version, or sent a malformed frame.
 * - `STORE_ADDRESS_IN_USE`: `serveStore` found a live server, or something that is not a socket, at the path.
 * - `STORE_SLOW_CONSUMER`: the server disconnected a client whose unread frames passed its buffer limit.
 */
export type RemoteErrorCode = StoreErrorCode | "STORE_PROTOCOL" | "STORE_ADDRESS_IN_USE" | "STORE_SLOW_CONSUMER";

export function remoteError(code: RemoteErrorCode, message: string, details: { key?: string | undefined; path?: string | undefined; cause?: unknown } = {}): StoreError<RemoteErrorCode> {
  return new StoreError<RemoteErrorCode>(code, message, details);
}

/** An error as it crosses the socket: enough to rebuild a `TypeError` or a `StoreError` with its facts. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly key?: string;
  readonly path?: string;
  readonly offset?: number;
}

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const { code, key, path, offset } = error as { code?: unknown; key?: unknown; path?: unknown; offset?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === "string" ? { code } : {}),
    ...(typeof key === "string" ? { key } : {}),
    ...(typeof path === "string" ? { path } : {}),
    ...(typeof offset === "number" ? { offset } : {}),
  };
}

/**
 * Rebuilds an error the server sent: a `TypeError` stays one (argument misuse), anything with a code
 * becomes a `StoreError` with that code and its `key`, `path` and `offset`; errors are told apart
 * by code, so the class on the server does not matter.
 */
export function fromWireError(wire: unknown): Error {
  if (typeof wire !== "object" || wire === null) return remoteError("STORE_PROTOCOL", `The server sent an error that is not an object: ${String(wire)}.`);
  const { name, message, code, key, path, offset } = wire as Record<string, unknown>;
  const text = typeof message === "string" ? message : "(no message)";
  if (name === "TypeError") return new TypeError(text);
  if (typeof code !== "string") {
    return new Error(`The server's store failed with ${typeof name === "string" ? name : "an error"}: ${text}`);
  }
  return new StoreError<string>(code, text, {
    key: typeof key === "string" ? key : undefined,
    path: typeof path === "string" ? path : undefined,
    offset: typeof offset === "number" ? offset : undefined,
  });
}

/** An error from `fromWireError` as a StoreError (what `onError` of a subscription expects). */
export function asStoreError(error: Error): StoreError<string> {
  // This package built it (fromWireError), so the class is this package's own copy.
  return error instanceof StoreError ? (error as StoreError<string>) : remoteError("STORE_PROTOCOL", error.message, { cause: error });
}

/** Told apart by code, never by class: the error may come from another copy of @store/fs. */
export function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}
