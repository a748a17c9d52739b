import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Database, Statement, Transaction } from "better-sqlite3";
import { gameSchemaSql, gameStatementsSql as sql } from "./sqlite-schema.js";
import type { GameSystem, OpenTiming, PlayerSeed, RankedPlayer, Totals } from "./system.js";

// @store/game's defaults, so both systems keep the same history and expiry.
const historyMax = 20;
const gameTtlMs = 3_600_000;
const winScore = 3;

/** A refusal of the domain (short of funds, unknown game...), told apart by `code` as @store/game's are. */
export class GameRefusal extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "GameRefusal";
    this.code = code;
  }
}

type Open = (path: string) => Database;
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

interface Statements {
  readonly idempotencyGet: Statement<[string], { op: string; fingerprint: string; result: string }>;
  readonly idempotencyPut: Statement<[string, number, string, string, string]>;
  readonly balanceGet: Statement<[string], { balance: number }>;
  readonly balanceCredit: Statement<[string, number], { balance: number }>;
  readonly balanceDebit: Statement<[number, string, number], { balance: number }>;
  readonly movementAdd: Statement<[string, number, string, number, number, string | null]>;
  readonly movementTrim: Statement<[string, string, number]>;
  readonly gameGet: Statement<[string], { type: string; expiresAtMs: number }>;
  readonly gameInsert: Statement<[string, string, string, string, number, number, number]>;
  readonly gameDelete: Statement<[string]>;
  readonly gamePlayerInsert: Statement<[string, string, number]>;
  readonly gamePlayers: Statement<[string], { playerId: string; stake: number }>;
  readonly gamePlayersDelete: Statement<[string]>;
  readonly playerInsert: Statement<[string, string, number, number, number, number, number, number]>;
  readonly playerEnsure: Statement<[string, string, number]>;
  readonly playerResult: Statement<[Outcome & { id: string }]>;
  readonly typeResult: Statement<[Outcome & { id: string; type: string }]>;
  readonly supplyAdd: Statement<[number, number]>;
  readonly top: Statement<[number], RankedPlayer>;
  readonly rank: Statement<[string], number>;
  readonly totals: Statement<[], { players: number; tokens: number; openGames: number; issued: number }>;
}

type Move = (playerId: string, delta: number, kind: string, ref: string, nowMs: number) => number;

interface SettleRequest {
  readonly gameId: string;
  readonly winner: string;
  readonly loser: string;
  readonly stake: number;
}

interface Outcome {
  readonly win: number;
  readonly loss: number;
  readonly draw: number;
  readonly score: number;
}

interface Operations {
  readonly transfer: Transaction<(from: string, to: string, amount: number, key: string) => void>;
  readonly create: Transaction<(gameId: string, players: readonly [string, string], stake: number, key: string) => void>;
  readonly settle: Transaction<(gameId: string, winner: string, loser: string, stake: number, key: string) => void>;
  readonly load: Transaction<(players: readonly PlayerSeed[]) => void>;
}

/**
 * The same game on better-sqlite3, written the way its documentation recommends: WAL,
 * `synchronous = FULL`, prepared statements, one `db.transaction()` per operation. The semantics
 * follow @store/game's: the idempotency row is written in the operation's transaction (a repeat
 * returns the stored result), balances are checked before a debit, a game escrows both stakes when
 * created, and a settlement pays the pot, adds both results (overall and per game type, streaks
 * included), keeps the supply counters exact and deletes the game, all in one transaction. Each
 * balance change appends a history row and trims the player's history to the newest 20, as
 * @store/game's bounded history does. better-sqlite3 is synchronous: an operation blocks the event
 * loop for its whole transaction, fsync included.
 */
class SqliteGame implements GameSystem {
  readonly #openDatabase: Open;
  #db: Database | undefined;
  #statements: Statements | undefined;
  #operations: Operations | undefined;

  constructor(openDatabase: Open) {
    this.#openDatabase = openDatabase;
  }

  async open(dir: string): Promise<OpenTiming> {
    const start = performance.now();
    const db = this.#openDatabase(join(dir, "game.sqlite"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(gameSchemaSql);
    const statements = prepareAll(db);
    this.#db = db;
    this.#statements = statements;
    this.#operations = this.#transactions(db, statements);
    return { storeOpenMs: performance.now() - start };
  }

  async load(players: readonly PlayerSeed[]): Promise<void> {
    this.#ops().load(players);
  }

  async transfer(from: string, to: string, amount: number, idempotencyKey: string): Promise<void> {
    this.#ops().transfer(from, to, amount, idempotencyKey);
  }

  async createCoinFlip(gameId: string, players: readonly [string, string], stake: number, idempotencyKey: string): Promise<void> {
    this.#ops().create(gameId, players, stake, idempotencyKey);
  }

  async settleCoinFlip(gameId: string, winner: string, loser: string, stake: number, idempotencyKey: string): Promise<void> {
    // The pot is read from the game's rows in the transaction; `stake` is what the caller expects it to hold.
    this.#ops().settle(gameId, winner, loser, stake, idempotencyKey);
  }

  /** One connection runs one transaction at a time: no write ever loses a race, so nothing is retried. */
  conflicts(): number {
    return 0;
  }

  top(n: number): readonly RankedPlayer[] {
    return this.#prepared().top.all(n);
  }

  rank(id: string): number | undefined {
    return this.#prepared().rank.get(id);
  }

  async totals(): Promise<Totals> {
    const row = this.#prepared().totals.get();
    if (row === undefined) throw new Error("better-sqlite3 returned no totals row");
    // SQLite's own proof of conservation: what the supply says was issued is what is held.
    return { players: row.players, tokens: row.tokens, openGames: row.openGames, audited: row.tokens === row.issued };
  }

  async close(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
    this.#statements = undefined;
    this.#operations = undefined;
  }

  #transactions(db: Database, s: Statements): Operations {
    const idempotent = <R extends Json>(key: string, op: string, args: Json, nowMs: number, apply: () => R): R => {
      const fingerprint = fingerprintOf(op, args);
      const previous = s.idempotencyGet.get(key);
      if (previous !== undefined) {
        if (previous.op !== op || previous.fingerprint !== fingerprint) {
          throw new GameRefusal("GAME_IDEMPOTENCY_MISMATCH", `idempotency key ${key} was used for another request (${previous.op})`);
        }
        return JSON.parse(previous.result) as R;
      }
      const result = apply();
      s.idempotencyPut.run(key, nowMs, op, fingerprint, JSON.stringify(result));
      return result;
    };
    const move: Move = (playerId, delta, kind, ref, nowMs) => {
      const row = delta < 0 ? s.balanceDebit.get(-delta, playerId, -delta) : s.balanceCredit.get(playerId, delta);
      if (row === undefined) {
        const balance = s.balanceGet.get(playerId)?.balance ?? 0;
        throw new GameRefusal("GAME_INSUFFICIENT_FUNDS", `player ${playerId} has ${balance} tokens, ${-delta} are needed`);
      }
      const { balance } = row;
      s.movementAdd.run(playerId, nowMs, kind, delta, balance, ref);
      s.movementTrim.run(playerId, playerId, historyMax);
      return balance;
    };
    return {
      transfer: db.transaction((from: string, to: string, amount: number, key: string) => {
        const nowMs = Date.now();
        idempotent(key, "transfer", { from, to, amount }, nowMs, () => {
          const fromBalance = move(from, -amount, "transfer-out", to, nowMs);
          const toBalance = move(to, amount, "transfer-in", from, nowMs);
          return { from, to, amount, fromBalance, toBalance };
        });
      }),
      create: db.transaction((gameId: string, players: readonly [string, string], stake: number, key: string) => {
        const nowMs = Date.now();
        idempotent(key, "createGame", { id: gameId, players: [...players], stake }, nowMs, () => {
          if (s.gameGet.get(gameId) !== undefined) throw new GameRefusal("GAME_EXISTS", `a game with id ${gameId} exists already`);
          for (const player of players) move(player, -stake, "stake", gameId, nowMs);
          const expiresAtMs = nowMs + gameTtlMs;
          s.gameInsert.run(gameId, "coinflip", "bench", "null", nowMs, nowMs, expiresAtMs);
          for (const player of players) s.gamePlayerInsert.run(gameId, player, stake);
          return { id: gameId, players: [...players], stake, expiresAtMs };
        });
      }),
      settle: db.transaction((gameId: string, winner: string, loser: string, stake: number, key: string) => {
        const nowMs = Date.now();
        idempotent(key, "settleGame", { id: gameId, winner, loser, stake }, nowMs, () => this.#settle(s, move, { gameId, winner, loser, stake }, nowMs));
      }),
      load: db.transaction((players: readonly PlayerSeed[]) => {
        let granted = 0;
        for (const p of players) {
          s.playerInsert.run(p.id, p.name, p.createdAtMs, p.wins + p.losses + p.draws, p.wins, p.losses, p.draws, p.score);
          s.balanceCredit.run(p.id, p.balance);
          granted += p.balance;
        }
        s.supplyAdd.run(granted, 0);
      }),
    };
  }

  #settle(s: Statements, move: Move, request: SettleRequest, nowMs: number): Json {
    const { gameId, winner, loser, stake } = request;
    const game = s.gameGet.get(gameId);
    if (game === undefined) throw new GameRefusal("GAME_NOT_FOUND", `there is no game ${gameId}`);
    if (nowMs >= game.expiresAtMs) throw new GameRefusal("GAME_EXPIRED", `game ${gameId} expired`);
    const seats = s.gamePlayers.all(gameId);
    const named = [winner, loser].sort().join(",");
    if (seats.map((seat) => seat.playerId).sort().join(",") !== named) {
      throw new GameRefusal("GAME_INVALID", `settle() must name exactly the players of game ${gameId}`);
    }
    const pot = seats.reduce((sum, seat) => sum + seat.stake, 0);
    if (pot !== 2 * stake) throw new GameRefusal("GAME_INVALID", `game ${gameId} holds a pot of ${pot}, not twice ${stake}`);
    const balance = pot > 0 ? move(winner, pot, "payout", gameId, nowMs) : null;
    for (const [id, won] of [[winner, true], [loser, false]] as const) {
      const outcome = { id, win: won ? 1 : 0, loss: won ? 0 : 1, draw: 0, score: won ? winScore : 0 };
      s.playerEnsure.run(id, id, nowMs);
      s.playerResult.run(outcome);
      s.typeResult.run({ ...outcome, type: game.type });
    }
    // The whole pot is paid out here; a house cut or bonus would be counted as spent or granted.
    s.gamePlayersDelete.run(gameId);
    s.gameDelete.run(gameId);
    return { gameId, type: game.type, pot, paid: pot, winner, loser, balance };
  }

  #prepared(): Statements {
    if (this.#statements === undefined) throw new Error("the better-sqlite3 game is not open");
    return this.#statements;
  }

  #ops(): Operations {
    if (this.#operations === undefined) throw new Error("the better-sqlite3 game is not open");
    return this.#operations;
  }
}

function prepareAll(db: Database): Statements {
  return {
    idempotencyGet: db.prepare(sql.idempotencyGet),
    idempotencyPut: db.prepare(sql.idempotencyPut),
    balanceGet: db.prepare(sql.balanceGet),
    balanceCredit: db.prepare(sql.balanceCredit),
    balanceDebit: db.prepare(sql.balanceDebit),
    movementAdd: db.prepare(sql.movementAdd),
    movementTrim: db.prepare(sql.movementTrim),
    gameGet: db.prepare(sql.gameGet),
    gameInsert: db.prepare(sql.gameInsert),
    gameDelete: db.prepare(sql.gameDelete),
    gamePlayerInsert: db.prepare(sql.gamePlayerInsert),
    gamePlayers: db.prepare(sql.gamePlayers),
    gamePlayersDelete: db.prepare(sql.gamePlayersDelete),
    playerInsert: db.prepare(sql.playerInsert),
    playerEnsure: db.prepare(sql.playerEnsure),
    playerResult: db.prepare(sql.playerResult),
    typeResult: db.prepare(sql.typeResult),
    supplyAdd: db.prepare(sql.supplyAdd),
    top: db.prepare(sql.top),
    rank: db.prepare<[string], number>(sql.rank).pluck(),
    totals: db.prepare(sql.totals),
  };
}

/** The same request hash @store/game stores with its idempotency records. */
function fingerprintOf(op: string, args: Json): string {
  return createHash("sha256").update(JSON.stringify([op, args])).digest("base64url").slice(0, 22);
}

export async function createSqliteGame(): Promise<GameSystem> {
  const { default: Sqlite } = await import("better-sqlite3");
  return new SqliteGame((path) => new Sqlite(path));
}
