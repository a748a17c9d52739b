import { quote } from "@store/fs";

/** The key prefixes of the game layer; everything it stores lives under one of them. */
export const PREFIX = {
  players: "players/",
  tokens: "tokens/",
  games: "games/",
  /** `history/<player>/<n>`: pages of an account's movements. */
  history: "history/",
  idem: "idem/",
  /** Token counters of a version 1 store (never written since; audit() still adds them). */
  supply: "supply/",
} as const;

/** The import marker: present while a legacy import is under way, then its summary. */
export const IMPORT_KEY = "meta/import";
/** One record per chunk of a legacy import too large for one batch, listing what it created (see legacy/import.ts). */
export const IMPORT_CHUNK_PREFIX = "meta/import-chunk/";
/** `meta/imported/<digest>`: one per finished legacy import, so the same documents imported again change nothing. */
export const IMPORTED_PREFIX = "meta/imported/";

/** Player and game ids: what Discord snowflakes, usernames-as-ids and UUIDs need, nothing that could split a key. */
const ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/u;
/** Idempotency keys (an interaction id, a custom id): printable, no control characters, bounded. */
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/u;

export function idProblem(id: unknown): string | undefined {
  if (typeof id !== "string") return `must be a string, got ${typeof id}`;
  if (!ID_PATTERN.test(id)) return `${quote(id)} must be 1 to 128 of A-Z a-z 0-9 _ . : @ -`;
  return undefined;
}

/** Throws a TypeError quoting `id` unless it is a valid player or game id. */
export function assertId(id: unknown, what: string): asserts id is string {
  const problem = idProblem(id);
  if (problem !== undefined) throw new TypeError(`${what} ${problem}.`);
}

export function assertIdempotencyKey(key: unknown): asserts key is string | undefined {
  if (key === undefined) return;
  if (typeof key !== "string" || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    const shown = typeof key === "string" ? quote(key) : typeof key;
    throw new TypeError(`idempotencyKey must be 1 to 200 printable ASCII characters without spaces, got ${shown}.`);
  }
}

export const playerKey = (id: string): string => PREFIX.players + id;
export const tokensKey = (id: string): string => PREFIX.tokens + id;
export const gameKey = (id: string): string => PREFIX.games + id;
export const idemKey = (key: string): string => PREFIX.idem + key;
export const historyPageKey = (playerId: string, slot: number): string => `${PREFIX.history}${playerId}/${slot}`;

/** The id after a prefix, or undefined when `key` is not under it. */
export function idFromKey(key: string, prefix: string): string | undefined {
  return key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
}
