import { randomUUID } from "node:crypto";
import { jsonValueProblem, type JsonValue } from "@store/fs";
import { scanAll } from "@store/kv";
import { GameError } from "./errors.js";
import { PREFIX, assertId, gameKey, tokensKey } from "./keys.js";
import { assertCount, move } from "./ledger.js";
import { liveGame, withPlayersOf, PlayersChanged } from "./live-game.js";
import { show } from "./options.js";
import { play } from "./play.js";
import { GAME, type GameRecord } from "./records.js";
import { checkCreate, type CreateGameRequest, type PlayRequest } from "./requests.js";
import { decode } from "./schema.js";
import { settle, type SettleDecision, type SettleRequest, type SettleResult } from "./settle.js";
import { escrow } from "./stakes.js";
import { assertOptions, type OperationOptions } from "./tokens.js";
import { perform, type Context } from "./tx.js";

export interface UpdateGameOptions extends OperationOptions {
  /** A new expiry time for the game, ms since the epoch (later than now). */
  readonly expiresAtMs?: number | undefined;
}

export interface GameFilter {
  readonly channelId?: string | undefined;
  readonly playerId?: string | undefined;
}

export type RefundResult = { gameId: string; refunds: Record<string, number> };

export interface Games {
  create(request: CreateGameRequest, options?: OperationOptions): Promise<GameRecord>;
  get(id: string): Promise<GameRecord | undefined>;
  /** Every game (a scan of `games/`), or those in a channel or with a player. Records failing their schema are left out (`audit()` lists them). */
  list(filter?: GameFilter): Promise<GameRecord[]>;
  /**
   * Replaces the game's state with `compute(game)`, conditionally on the version read, retried on
   * conflict (`compute` may run more than once: keep it free of side effects).
   */
  update(id: string, compute: (game: GameRecord) => JsonValue, options?: UpdateGameOptions): Promise<GameRecord>;
  /**
   * Adds a player to the game, escrowing their stake in the same batch: `stake`, or when left out
   * the game's `joinStake` (so a repeat needs nothing but the game id, the player and the key).
   */
  join(id: string, playerId: string, stake?: number, options?: OperationOptions): Promise<GameRecord>;
  /**
   * Pays out, records every player's result and removes the game, in one batch. With a function,
   * the settlement is decided inside that batch from the game as read there (a random draw made
   * once: a repeat with the same key answers the first outcome without calling it).
   */
  settle(id: string, request: SettleRequest | SettleDecision, options?: OperationOptions): Promise<SettleResult>;
  /**
   * A one-shot game (a coin flip against the house): the stakes escrowed, `decide`'s settlement
   * paid and recorded, in one batch; the game is never stored. The idempotency record keys on the
   * request, not on the outcome.
   */
  play(request: PlayRequest, decide: SettleDecision, options?: OperationOptions): Promise<SettleResult>;
  /** Refunds every stake and removes the game (no results recorded). */
  cancel(id: string, options?: OperationOptions): Promise<RefundResult>;
}

export function createGames(context: Context): Games {
  const { options } = context;
  return {
    create: async (request, opts = {}) => {
      const checked = checkCreate(request, options.gamePlayersMax);
      assertOptions(opts);
      const id = checked.id ?? randomUUID();
      const staking = checked.players.filter((player) => (checked.stakes[player] ?? 0) > 0);
      return perform(context, {
        op: "createGame",
        // The fields in the order earlier versions hashed them (joinStake only when given), so a
        // repeat across an upgrade still matches its record.
        args: {
          id: checked.id ?? null,
          type: checked.type,
          channelId: checked.channelId,
          players: checked.players,
          stakes: checked.stakes,
          ...(checked.joinStake === undefined ? {} : { joinStake: checked.joinStake }),
          state: checked.state,
          expiresAtMs: checked.expiresAtMs ?? null,
        },
        idempotencyKey: opts.idempotencyKey,
        keys: [gameKey(id), ...staking.map(tokensKey)],
        plan: (tx) => {
          if (tx.game(id) !== undefined) throw new GameError("GAME_EXISTS", `A game with id ${id} exists already; choose another id.`, { key: gameKey(id) });
          const expiresAtMs = checked.expiresAtMs ?? tx.nowMs + options.gameTtlMs;
          if (expiresAtMs <= tx.nowMs) throw new GameError("GAME_INVALID", `expiresAtMs ${expiresAtMs} is not in the future (now is ${tx.nowMs}).`, { key: gameKey(id), expiresAtMs });
          for (const player of staking) escrow(tx, id, player, checked.stakes[player]!, options.historyMax);
          const stakes = Object.fromEntries(checked.players.map((player) => [player, checked.stakes[player] ?? 0]));
          const game: GameRecord = {
            v: 2,
            id,
            type: checked.type,
            channelId: checked.channelId,
            players: [...checked.players],
            stakes,
            joinStake: checked.joinStake ?? 0,
            state: checked.state,
            createdAtMs: tx.nowMs,
            updatedAtMs: tx.nowMs,
            expiresAtMs,
          };
          tx.set(GAME, gameKey(id), game);
          return game;
        },
      });
    },
    get: async (id) => {
      context.assertOpen();
      assertId(id, "game id");
      const entry = await context.kv.get(gameKey(id));
      return entry === undefined ? undefined : decode(GAME, gameKey(id), entry.value);
    },
    list: async (filter = {}) => {
      context.assertOpen();
      const games: GameRecord[] = [];
      for await (const entry of scanAll(context.kv, { prefix: PREFIX.games, pageSize: options.scanPageSize })) {
        let game: GameRecord;
        try {
          game = decode(GAME, entry.key, entry.value);
        } catch {
          continue;
        }
        if (filter.channelId !== undefined && game.channelId !== filter.channelId) continue;
        if (filter.playerId !== undefined && !game.players.includes(filter.playerId)) continue;
        games.push(game);
      }
      return games;
    },
    update: async (id, compute, opts = {}) => {
      assertId(id, "game id");
      if (typeof compute !== "function") throw new TypeError(`games.update() takes a function of the game, got ${show(compute)}.`);
      assertOptions(opts);
      if (opts.expiresAtMs !== undefined) assertCount(opts.expiresAtMs, "expiresAtMs");
      return perform(context, {
        op: "updateGame",
        // The new state is not known before compute runs: a repeat is recognised by key and game.
        args: { id, expiresAtMs: opts.expiresAtMs ?? null },
        idempotencyKey: opts.idempotencyKey,
        keys: [gameKey(id)],
        plan: (tx) => {
          const game = liveGame(tx, id);
          const state = compute(structuredClone(game));
          const problem = jsonValueProblem(state);
          if (problem !== undefined) throw new TypeError(`games.update(): the new state of game ${id} is not plain JSON: ${problem}.`);
          const expiresAtMs = opts.expiresAtMs ?? game.expiresAtMs;
          if (expiresAtMs <= tx.nowMs) throw new GameError("GAME_INVALID", `expiresAtMs ${expiresAtMs} is not in the future (now is ${tx.nowMs}).`, { key: gameKey(id), expiresAtMs });
          const next: GameRecord = { ...game, state, updatedAtMs: tx.nowMs, expiresAtMs };
          tx.set(GAME, gameKey(id), next);
          return next;
        },
      });
    },
    join: async (id, playerId, stake, opts = {}) => {
      assertId(id, "game id");
      assertId(playerId, "playerId");
      if (stake !== undefined) assertCount(stake, "stake");
      assertOptions(opts);
      return perform(context, {
        op: "joinGame",
        // Without a stake, the request is the game and the player: a repeat is answered from the
        // idempotency record even once the game is settled and gone.
        args: stake === undefined ? { id, playerId } : { id, playerId, stake },
        idempotencyKey: opts.idempotencyKey,
        keys: [gameKey(id), tokensKey(playerId)],
        plan: (tx) => {
          const game = liveGame(tx, id);
          if (game.players.includes(playerId)) throw new GameError("GAME_INVALID", `Player ${playerId} is in game ${id} already.`, { key: gameKey(id), playerId });
          if (game.players.length >= options.gamePlayersMax) throw new GameError("GAME_INVALID", `Game ${id} has ${game.players.length} players, the most gamePlayersMax allows.`, { key: gameKey(id) });
          const staked = stake ?? game.joinStake;
          if (staked > 0) escrow(tx, id, playerId, staked, options.historyMax);
          const next: GameRecord = { ...game, players: [...game.players, playerId], stakes: { ...game.stakes, [playerId]: staked }, updatedAtMs: tx.nowMs };
          tx.set(GAME, gameKey(id), next);
          return next;
        },
      });
    },
    settle: async (id, request, opts = {}) => settle(context, id, request, opts),
    play: async (request, decide, opts = {}) => play(context, request, decide, opts),
    cancel: async (id, opts = {}) => {
      assertId(id, "game id");
      assertOptions(opts);
      // Not only-expired: a missing game throws GAME_NOT_FOUND rather than resolving undefined.
      return refund(context, id, { idempotencyKey: opts.idempotencyKey, onlyExpired: false }) as Promise<RefundResult>;
    },
  };
}

/**
 * Returns every stake and removes the game. The game's token keys come from a first read; if a
 * player joined between that read and the batch, the plan notices and starts again.
 * `onlyExpired` (the sweeper) skips a game that is not (or no longer) past its expiry: resolves undefined.
 */
export async function refund(context: Context, id: string, how: { idempotencyKey: string | undefined; onlyExpired: boolean }): Promise<RefundResult | undefined> {
  return withPlayersOf(context, id, async (seen) => {
    const staking = seen === undefined ? [] : seen.players.filter((player) => (seen.stakes[player] ?? 0) > 0);
    const result = await perform(context, {
      op: how.onlyExpired ? "expireGame" : "cancelGame",
      args: { id },
      idempotencyKey: how.idempotencyKey,
      keys: [gameKey(id), ...staking.map(tokensKey)],
      plan: (tx): RefundResult | null => {
        const game = tx.game(id);
        if (game === undefined) {
          if (how.onlyExpired) return null;
          throw new GameError("GAME_NOT_FOUND", `There is no game ${id} to cancel (settled, cancelled, expired, or never created).`, { key: gameKey(id) });
        }
        if (how.onlyExpired && tx.nowMs < game.expiresAtMs) return null;
        const refunds: Record<string, number> = {};
        for (const player of game.players) {
          const stake = game.stakes[player] ?? 0;
          if (stake === 0) continue;
          if (!staking.includes(player)) throw new PlayersChanged();
          tx.setAccount(move(tx.account(player), stake, { kind: "refund", ref: id }, tx.nowMs, context.options.historyMax));
          refunds[player] = stake;
        }
        tx.delete(gameKey(id));
        return { gameId: id, refunds };
      },
    });
    return result ?? undefined;
  });
}
