import { z } from "zod";
import { PREFIX } from "./keys.js";
import { count, jsonValue, type RecordKind } from "./schema.js";

// Every record the game layer stores, with its schema version `v`. The README's data model section
// documents the same shapes; change both together, and add a step to `older` with a version bump.

const idString = z.string().regex(/^[A-Za-z0-9_.:@-]{1,128}$/u);
const score = z.int();

const typeStatsSchema = z.strictObject({ games: count, wins: count, losses: count, draws: count, score });

const statsSchema = z.strictObject({
  games: count,
  wins: count,
  losses: count,
  draws: count,
  score,
  /** Wins in a row, ended by a loss or a draw. */
  streak: count,
  bestStreak: count,
  byType: z.record(z.string().min(1).max(64), typeStatsSchema),
});

export const playerSchema = z.strictObject({
  v: z.literal(2),
  id: idString,
  name: z.string().min(1).max(100),
  createdAtMs: count,
  stats: statsSchema,
});

/** Version 1, the first shape: no streaks and no per-type stats (reading one fills them with zeros). */
const playerV1Schema = z.strictObject({
  v: z.literal(1),
  id: idString,
  name: z.string().min(1).max(100),
  createdAtMs: count,
  stats: z.strictObject({ games: count, wins: count, losses: count, draws: count, score }),
});

export type Player = z.infer<typeof playerSchema>;
export type PlayerStats = Player["stats"];
export type TypeStats = z.infer<typeof typeStatsSchema>;

export const PLAYER: RecordKind<Player> = {
  name: "player",
  current: 2,
  idPrefix: PREFIX.players,
  schema: playerSchema,
  older: new Map([
    [
      1,
      {
        schema: playerV1Schema,
        up: (old: z.infer<typeof playerV1Schema>): Player => ({ ...old, v: 2, stats: { ...old.stats, streak: 0, bestStreak: 0, byType: {} } }),
      },
    ],
  ]),
};

export const MOVEMENT_KINDS = ["grant", "spend", "daily", "transfer-in", "transfer-out", "stake", "refund", "payout", "import", "adjust"] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/** A movement as `tokens.account()` shows it. */
export interface Movement {
  readonly atMs: number;
  readonly kind: MovementKind;
  /** Signed change of the balance. */
  readonly amount: number;
  /** The balance after it. */
  readonly balance: number;
  /** The other player of a transfer, or the game of a stake, refund or payout. */
  readonly ref: string | null;
  readonly reason: string | null;
}

/**
 * A movement as stored: `[atMs, kind, amount, balance, ref, reason]`. An array rather than an object
 * because an account carries up to nine of them and is written by every operation on it: the field
 * names would double the bytes each operation writes, parses and checks.
 */
export type StoredMovement = readonly [atMs: number, kind: MovementKind, amount: number, balance: number, ref: string | null, reason: string | null];

const movementSchema = z.tuple([count, z.enum(MOVEMENT_KINDS), z.int(), count, z.string().max(200).nullable(), z.string().max(200).nullable()]);

const accountFields = {
  id: idString,
  balance: count,
  /** Tokens created through this account (grants, daily claims, house payouts attributed to it). */
  granted: count,
  /** Tokens destroyed through this account (spends, the house's cut attributed to it). */
  spent: count,
  lastDailyAtMs: count.nullable(),
  /** Movements recorded since the account was created: the next one is number `movements`. */
  movements: count,
};

export const tokensSchema = z.strictObject({
  v: z.literal(2),
  ...accountFields,
  /** The newest movements, those not yet in a history page (see history.ts), oldest first. */
  recent: z.array(movementSchema),
});

/**
 * What an operation checks of an account it changes: every field it reads or counts on, and the
 * recent movements only as a list (an operation appends to it and moves full pages out, and never
 * reads an entry). The entries are checked where they are read: `tokens.account()` and `audit()`.
 */
const tokensInOperationSchema = z.strictObject({ v: z.literal(2), ...accountFields, recent: z.array(z.array(z.unknown())) });

/** A token account as stored (version 2). */
export type TokenRecord = Omit<z.infer<typeof tokensSchema>, "recent"> & { recent: readonly StoredMovement[] };

/** A token account as `tokens.account()` shows it: the last `historyMax` movements, oldest first. */
export type TokenAccount = Omit<TokenRecord, "movements" | "recent"> & { history: Movement[] };

/** Version 1: every kept movement in the account, as objects, and no counters (a version 1 store counted them in `supply/<nn>` records, which `audit()` still reads). */
const tokensV1Schema = z.strictObject({
  v: z.literal(1),
  id: idString,
  balance: count,
  lastDailyAtMs: count.nullable(),
  history: z.array(
    z.strictObject({ atMs: count, kind: z.enum(MOVEMENT_KINDS), amount: z.int(), balance: count, ref: z.string().max(200).nullable(), reason: z.string().max(200).nullable() }),
  ),
});

const tokensOlder = new Map([
  [
    1,
    {
      schema: tokensV1Schema,
      // Its movements are numbered from 0 here; the next operation moves full pages out.
      up: (old: z.infer<typeof tokensV1Schema>): TokenRecord => ({
        v: 2,
        id: old.id,
        balance: old.balance,
        granted: 0,
        spent: 0,
        lastDailyAtMs: old.lastDailyAtMs,
        movements: old.history.length,
        recent: old.history.map((movement): StoredMovement => [movement.atMs, movement.kind, movement.amount, movement.balance, movement.ref, movement.reason]),
      }),
    },
  ],
]);

/** Every field and every movement checked: for reads that show the account, and the audit. */
export const TOKENS: RecordKind<TokenRecord> = { name: "token account", current: 2, idPrefix: PREFIX.tokens, schema: tokensSchema, older: tokensOlder };

/** The same record as an operation reads and writes it (see tokensInOperationSchema). */
export const TOKENS_IN_OPERATION: RecordKind<TokenRecord> = { ...TOKENS, schema: tokensInOperationSchema as unknown as z.ZodType<TokenRecord> };

export function showMovement([atMs, kind, amount, balance, ref, reason]: StoredMovement): Movement {
  return { atMs, kind, amount, balance, ref, reason };
}

/** `history/<player>/<n>`: a full page of an account's movements, numbered from `first` (see history.ts). */
export const historyPageSchema = z.strictObject({ v: z.literal(1), id: idString, first: count, movements: z.array(movementSchema).min(1) });
export type HistoryPage = Omit<z.infer<typeof historyPageSchema>, "movements"> & { movements: readonly StoredMovement[] };
export const HISTORY_PAGE: RecordKind<HistoryPage> = { name: "history page", current: 1, schema: historyPageSchema, older: new Map() };

const gameFields = {
  id: idString,
  type: z.string().min(1).max(64),
  channelId: z.string().min(1).max(128).nullable(),
  players: z.array(idString).min(1),
  /** Tokens escrowed per player (every player has an entry, 0 for none: the keys are checked as the players by the refine below). */
  stakes: z.record(z.string(), count),
  /** The caller's game state, any JSON. */
  state: jsonValue,
  createdAtMs: count,
  updatedAtMs: count,
  expiresAtMs: count,
};

type GameShape = { players: string[]; stakes: Record<string, number> };
const distinctPlayers = (game: GameShape): boolean => new Set(game.players).size === game.players.length;
const oneStakePerPlayer = (game: GameShape): boolean => Object.keys(game.stakes).length === game.players.length && game.players.every((player) => player in game.stakes);

export const gameSchema = z
  .strictObject({
    v: z.literal(2),
    ...gameFields,
    /** The stake `join` escrows from a player who joins without naming one (version 2; 0 in version 1 games). */
    joinStake: count,
  })
  .refine(distinctPlayers, { message: "players must be distinct", path: ["players"] })
  .refine(oneStakePerPlayer, { message: "stakes must have exactly one entry per player", path: ["stakes"] });
export type GameRecord = z.infer<typeof gameSchema>;

/** Version 1: no `joinStake` (reading one gives 0: a join without a stake escrows nothing, as it did). */
const gameV1Schema = z
  .strictObject({ v: z.literal(1), ...gameFields })
  .refine(distinctPlayers, { message: "players must be distinct", path: ["players"] })
  .refine(oneStakePerPlayer, { message: "stakes must have exactly one entry per player", path: ["stakes"] });

export const GAME: RecordKind<GameRecord> = {
  name: "game",
  current: 2,
  idPrefix: PREFIX.games,
  schema: gameSchema,
  older: new Map([[1, { schema: gameV1Schema, up: (old: z.infer<typeof gameV1Schema>): GameRecord => ({ ...old, v: 2, joinStake: 0 }) }]]),
};

export const idemSchema = z.strictObject({
  v: z.literal(1),
  atMs: count,
  op: z.string(),
  /** A hash of the request, so that a key reused for another request is refused rather than answered wrongly. */
  fingerprint: z.string(),
  result: jsonValue,
});
export type IdempotencyRecord = z.infer<typeof idemSchema>;
export const IDEM: RecordKind<IdempotencyRecord> = { name: "idempotency record", current: 1, schema: idemSchema, older: new Map() };

/** The token counters of a version 1 store, spread over 16 `supply/<nn>` records. Never written since version 2 (which counts on the accounts); `audit()` still adds them. */
export const supplySchema = z.strictObject({ v: z.literal(1), granted: count, spent: count });
export type SupplyRecord = z.infer<typeof supplySchema>;
export const SUPPLY: RecordKind<SupplyRecord> = { name: "supply counter", current: 1, schema: supplySchema, older: new Map() };

const importMarkerFields = {
  state: z.enum(["pending", "done"]),
  /** A hash of the imported documents: the same input imported again changes nothing. */
  digest: z.string(),
  startedAtMs: count,
  doneAtMs: count.nullable(),
  counts: z.strictObject({ players: count, accounts: count, games: count, tokens: count }),
};

export const importMarkerSchema = z.strictObject({
  v: z.literal(2),
  ...importMarkerFields,
  /**
   * The tokens the import brought in (its balances and its games' stakes), counted as granted by
   * `audit()` once the import is done (the marker under `meta/imported/`): 0 in the pending marker.
   */
  granted: count,
});
export type ImportMarker = z.infer<typeof importMarkerSchema>;

/** Version 1: no `granted` (a version 1 import counted its tokens in the `supply/<nn>` records). */
const importMarkerV1Schema = z.strictObject({ v: z.literal(1), ...importMarkerFields });

export const IMPORT_MARKER: RecordKind<ImportMarker> = {
  name: "import marker",
  current: 2,
  schema: importMarkerSchema,
  older: new Map([[1, { schema: importMarkerV1Schema, up: (old: z.infer<typeof importMarkerV1Schema>): ImportMarker => ({ ...old, v: 2, granted: 0 }) }]]),
};

/** Written in the same batch as one chunk of an import: the keys that chunk created, for a rollback. */
export const importChunkSchema = z.strictObject({ v: z.literal(1), keys: z.array(z.string()) });
export type ImportChunk = z.infer<typeof importChunkSchema>;
export const IMPORT_CHUNK: RecordKind<ImportChunk> = { name: "import chunk", current: 1, schema: importChunkSchema, older: new Map() };

export function emptyStats(): PlayerStats {
  return { games: 0, wins: 0, losses: 0, draws: 0, score: 0, streak: 0, bestStreak: 0, byType: {} };
}

export function emptyAccount(id: string): TokenRecord {
  return { v: 2, id, balance: 0, granted: 0, spent: 0, lastDailyAtMs: null, movements: 0, recent: [] };
}
