import { KEY_BYTES_MAX_DEFAULT } from "@store/fs";

// The contract's limits. Every backend accepts everything within them and refuses anything above
// with the same error code, so a program moves between backends without meeting a new limit.
// A backend with a larger native limit still refuses above these (the next backend may not have it).

/** Longest key, in UTF-8 bytes (`STORE_INVALID_KEY` above). The file log's default. */
export const KEY_BYTES_MAX = KEY_BYTES_MAX_DEFAULT;

/** Deepest nesting of arrays and objects in a value (`STORE_INVALID_VALUE` above). */
export const VALUE_DEPTH_MAX = 64;

/** Most operations (sets, deletes and checks) in one batch (`STORE_TOO_LARGE` above). */
export const BATCH_OPS_MAX = 10_000;

/**
 * Most bytes in one batch, counted as the UTF-8 bytes of every operation's key plus the UTF-8 bytes
 * of `JSON.stringify(value)` of every set (`STORE_TOO_LARGE` above). Backends add their own framing
 * on top of this, so their own record limit must leave room for it.
 */
export const BATCH_BYTES_MAX = 4 * 1024 * 1024;

/** Most keys in one `getMany` (`STORE_TOO_LARGE` above): what one `update()` can read and then check. */
export const GET_MANY_KEYS_MAX = BATCH_OPS_MAX;

/** Entries a `scan` returns when no `limit` is given. */
export const SCAN_LIMIT_DEFAULT = 100;

/** Largest `limit` a `scan` accepts (`STORE_TOO_LARGE` above). Page with `after` for more. */
export const SCAN_LIMIT_MAX = 10_000;

/**
 * Most `prefixes` one `subscribe` filters by (`STORE_TOO_LARGE` above). A server tests every op of
 * every event against each, so the count is bounded; a follower of more key families subscribes to
 * their common start, or to everything.
 */
export const SUBSCRIBE_PREFIXES_MAX = 64;
