import type { JsonValue } from "@store/fs";
import { GET_MANY_KEYS_MAX, scanAll } from "@store/kv";
import { GameError } from "../errors.js";
import type { Game } from "../game.js";
import { contextOf } from "../internal.js";
import { PREFIX, assertId, gameKey, playerKey, tokensKey } from "../keys.js";
import { move } from "../ledger.js";
import { show } from "../options.js";
import { GAME, PLAYER, TOKENS, type GameRecord, type Player } from "../records.js";
import { decode } from "../schema.js";
import { assertGameType, assertOutcome, type Outcome } from "../stats.js";
import { NeedKeys, perform, type Context } from "../tx.js";
import { describe, isObject, recordsOf, type LegacyProblem } from "./documents.js";
import { mapAccount, mapPlayer, type MappedAccount } from "./map.js";
import { toLegacyGameState, toLegacyApiPlayer, toLegacyTokens, type LegacyGameState, type LegacyPlayer, type LegacyStats, type LegacyTokens } from "./shapes.js";

export interface LegacyApi {
  loadPlayers(): Promise<Record<string, LegacyPlayer>>;
  getPlayer(id: string): Promise<LegacyPlayer | undefined>;
  /** Writes the players that differ from what is stored (name, stats), in one conditional batch. Players left out are kept. */
  savePlayers(players: Record<string, unknown> | unknown[]): Promise<{ written: number }>;
  /** A result (`"win"`, `"loss"`, `"draw"`) is recorded as one game; an object sets the stat counters it names. */
  updatePlayerStats(id: string, change: Outcome | Partial<LegacyStats>, gameType?: string): Promise<LegacyPlayer>;
  loadTokens(): Promise<Record<string, LegacyTokens>>;
  getBalance(id: string): Promise<number>;
  addTokens(id: string, amount: number, options?: { idempotencyKey?: string; reason?: string }): Promise<number>;
  removeTokens(id: string, amount: number, options?: { idempotencyKey?: string; reason?: string }): Promise<number>;
  /** Sets the balances (and last daily claims) that differ, in one batch; each change is counted as granted or spent. */
  saveTokens(tokens: Record<string, unknown> | unknown[]): Promise<{ written: number }>;
  getAllGameStates(): Promise<Record<string, LegacyGameState>>;
  getGameState(id: string): Promise<LegacyGameState | undefined>;
  /** Creates or replaces a game's state (no escrow: the old API moved tokens itself). */
  saveGameState(id: string, state: Record<string, unknown>): Promise<LegacyGameState>;
  /** Removes the game; any escrow it holds is counted as spent (the old bot paid out itself). Resolves whether it existed. */
  deleteGameState(id: string): Promise<boolean>;
}

/** The fields the game layer keeps itself; a saved state's copies of them are not stored twice. */
const LAYER_FIELDS = ["id", "type", "players", "stakes", "channelId", "createdAt", "expiresAt"];
const STAT_FIELDS = ["games", "wins", "losses", "draws", "score", "streak", "bestStreak"] as const;

export function createLegacyApi(game: Game): LegacyApi {
  const context = contextOf(game);
  const { kv, options } = context;
  const settings = (): { nowMs: number; scoring: typeof options.scoring; gameTtlMs: number; gamePlayersMax: number } => ({
    nowMs: options.now(),
    scoring: options.scoring,
    gameTtlMs: options.gameTtlMs,
    gamePlayersMax: options.gamePlayersMax,
  });

  return {
    loadPlayers: async () => {
      context.assertOpen();
      const players: Record<string, LegacyPlayer> = {};
      for await (const entry of scanAll(kv, { prefix: PREFIX.players, pageSize: options.scanPageSize })) {
        const player = decodeOrSkip(() => decode(PLAYER, entry.key, entry.value));
        if (player !== undefined) players[player.id] = toLegacyApiPlayer(player);
      }
      return players;
    },
    getPlayer: async (id) => {
      const player = await game.players.get(id);
      return player === undefined ? undefined : toLegacyApiPlayer(player);
    },
    savePlayers: async (players) => {
      context.assertOpen();
      const problems: LegacyProblem[] = [];
      const ignored = new Map<string, number>();
      const mapped = recordsOf("players", checkDocument("savePlayers", players), problems).flatMap((record) => mapPlayer(record, settings(), problems, ignored) ?? []);
      throwProblems("savePlayers", problems);
      const stored = await readMany(context, mapped.map((player) => playerKey(player.id)));
      const changed = mapped.filter((player) => !samePlayer(stored.get(playerKey(player.id)), player));
      if (changed.length === 0) return { written: 0 };
      return perform(context, {
        op: "savePlayers",
        args: null,
        idempotencyKey: undefined,
        keys: changed.map((player) => playerKey(player.id)),
        plan: (tx) => {
          let written = 0;
          for (const player of changed) {
            const current = tx.player(player.id);
            const next: Player = { ...player, createdAtMs: current?.createdAtMs ?? player.createdAtMs };
            if (samePlayer(tx.storedVersion(playerKey(player.id)) === PLAYER.current ? current : undefined, next)) continue;
            tx.setChecked(PLAYER, playerKey(player.id), next);
            written += 1;
          }
          return { written };
        },
      });
    },
    updatePlayerStats: async (id, change, gameType = "legacy") => {
      assertId(id, "player id");
      if (typeof change === "string") {
        assertOutcome(change);
        assertGameType(gameType);
        return toLegacyApiPlayer(await game.players.recordResult(id, { type: gameType, outcome: change }));
      }
      const patch = checkStatsPatch(change);
      const player = await perform(context, {
        op: "setPlayerStats",
        args: patch,
        idempotencyKey: undefined,
        keys: [playerKey(id)],
        plan: (tx) => {
          const current = tx.player(id) ?? { v: 2 as const, id, name: id, createdAtMs: tx.nowMs, stats: { games: 0, wins: 0, losses: 0, draws: 0, score: 0, streak: 0, bestStreak: 0, byType: {} } };
          const next = { ...current, stats: { ...current.stats, ...patch } };
          tx.setChecked(PLAYER, playerKey(id), next);
          return next;
        },
      });
      return toLegacyApiPlayer(player);
    },
    loadTokens: async () => {
      context.assertOpen();
      const tokens: Record<string, LegacyTokens> = {};
      for await (const entry of scanAll(kv, { prefix: PREFIX.tokens, pageSize: options.scanPageSize })) {
        const account = decodeOrSkip(() => decode(TOKENS, entry.key, entry.value));
        if (account !== undefined) tokens[account.id] = toLegacyTokens(account);
      }
      return tokens;
    },
    getBalance: (id) => game.tokens.balance(id),
    addTokens: async (id, amount, opts = {}) => (await game.tokens.grant(id, amount, opts)).balance,
    removeTokens: async (id, amount, opts = {}) => (await game.tokens.spend(id, amount, opts)).balance,
    saveTokens: async (tokens) => {
      context.assertOpen();
      const problems: LegacyProblem[] = [];
      const mapped = recordsOf("tokens", checkDocument("saveTokens", tokens), problems).flatMap((record) => mapAccount(record, problems, new Map()) ?? []);
      throwProblems("saveTokens", problems);
      const stored = await readMany(context, mapped.map((account) => tokensKey(account.id)));
      const changed = mapped.filter((account) => !sameAccount(stored.get(tokensKey(account.id)), account));
      if (changed.length === 0) return { written: 0 };
      return perform(context, {
        op: "saveTokens",
        args: null,
        idempotencyKey: undefined,
        keys: changed.map((account) => tokensKey(account.id)),
        plan: (tx) => {
          let written = 0;
          for (const wanted of changed) {
            const current = tx.account(wanted.id);
            if (sameAccount(current, wanted)) continue;
            const delta = wanted.balance - current.balance;
            const moved = delta === 0 ? current : move(current, delta, { kind: "adjust", reason: "saveTokens" }, tx.nowMs, options.historyMax);
            tx.setAccount({ ...moved, lastDailyAtMs: wanted.lastDailyAtMs });
            tx.count(wanted.id, Math.max(0, delta), Math.max(0, -delta));
            written += 1;
          }
          return { written };
        },
      });
    },
    getAllGameStates: async () => Object.fromEntries((await game.games.list()).map((record) => [record.id, toLegacyGameState(record)])),
    getGameState: async (id) => {
      const record = await game.games.get(id);
      return record === undefined ? undefined : toLegacyGameState(record);
    },
    saveGameState: async (id, state) => {
      assertId(id, "game id");
      const fields = checkGameState(id, state, options.gamePlayersMax);
      const saved = await perform(context, {
        op: "saveGameState",
        args: null,
        idempotencyKey: undefined,
        keys: [gameKey(id)],
        plan: (tx) => {
          const record = planSaveGameState(tx.game(id), id, fields, tx.nowMs, options.gameTtlMs);
          tx.setChecked(GAME, gameKey(id), record);
          return record;
        },
      });
      return toLegacyGameState(saved);
    },
    deleteGameState: async (id) => {
      assertId(id, "game id");
      return perform(context, {
        op: "deleteGameState",
        args: { id },
        idempotencyKey: undefined,
        keys: [gameKey(id)],
        plan: (tx) => {
          const record = tx.game(id);
          if (record === undefined) return false;
          const escrow = Object.values(record.stakes).reduce((sum, stake) => sum + stake, 0);
          // The escrow burned is counted as spent on the game's first player's account, as a house cut is.
          const house = record.players[0]!;
          if (escrow > 0 && !tx.declared(tokensKey(house))) throw new NeedKeys([tokensKey(house)]);
          tx.delete(gameKey(id));
          if (escrow > 0) tx.count(house, 0, escrow);
          return true;
        },
      });
    },
  };
}

interface GameStateFields {
  readonly type: string;
  readonly players: string[];
  readonly channelId: string | null;
  readonly expiresAtMs: number | undefined;
  readonly state: JsonValue;
}

function planSaveGameState(current: GameRecord | undefined, id: string, fields: GameStateFields, nowMs: number, gameTtlMs: number): GameRecord {
  if (current !== undefined && nowMs >= current.expiresAtMs) {
    throw new GameError("GAME_EXPIRED", `Game ${id} expired at ${new Date(current.expiresAtMs).toISOString()}; its stakes are refunded by the expiry sweep.`, { key: gameKey(id), expiresAtMs: current.expiresAtMs });
  }
  const stakes: Record<string, number> = {};
  for (const player of fields.players) stakes[player] = current?.stakes[player] ?? 0;
  for (const [player, stake] of Object.entries(current?.stakes ?? {})) {
    if (stake > 0 && !(player in stakes)) throw new GameError("GAME_INVALID", `saveGameState(): player ${player} has ${stake} tokens escrowed in game ${id} and cannot be removed from it; settle or cancel the game instead.`, { key: gameKey(id), playerId: player });
  }
  const expiresAtMs = fields.expiresAtMs ?? current?.expiresAtMs ?? nowMs + gameTtlMs;
  return {
    v: 2,
    id,
    type: fields.type,
    channelId: fields.channelId,
    players: fields.players,
    stakes,
    joinStake: current?.joinStake ?? 0,
    state: fields.state,
    createdAtMs: current?.createdAtMs ?? nowMs,
    updatedAtMs: nowMs,
    expiresAtMs,
  };
}

function checkGameState(id: string, state: Record<string, unknown>, playersMax: number): GameStateFields {
  if (!isObject(state)) throw new TypeError(`saveGameState(${JSON.stringify(id)}, state): state must be an object, got ${describe(state)}.`);
  const type = state.type ?? state.gameType ?? "legacy";
  assertGameType(type);
  const rawPlayers: unknown = state.players;
  const list: unknown[] = Array.isArray(rawPlayers) ? rawPlayers : isObject(rawPlayers) ? Object.keys(rawPlayers) : [];
  const players = list.map((player) => (isObject(player) ? player.id : player)).map((player) => (typeof player === "number" ? String(player) : player));
  if (players.length === 0 || players.length > playersMax) throw new TypeError(`saveGameState(${JSON.stringify(id)}, state): state.players must list 1 to ${playersMax} player ids, got ${show(rawPlayers)}.`);
  for (const player of players) assertId(player, "every player id in state.players");
  const checked = players as string[];
  if (new Set(checked).size !== checked.length) throw new TypeError(`saveGameState(${JSON.stringify(id)}, state): state.players lists a player twice.`);
  const channel = state.channelId ?? state.channel ?? null;
  if (channel !== null && typeof channel !== "string") throw new TypeError(`saveGameState(): channelId must be a string, got ${show(channel)}.`);
  const expires = state.expiresAt;
  const expiresAtMs = typeof expires === "number" ? expires : typeof expires === "string" ? Date.parse(expires) : undefined;
  if (expiresAtMs !== undefined && (!Number.isSafeInteger(expiresAtMs) || expiresAtMs < 0)) throw new TypeError(`saveGameState(): expiresAt must be a time, got ${show(expires)}.`);
  const rest = Object.fromEntries(Object.entries(state).filter(([field]) => !LAYER_FIELDS.includes(field)));
  return { type, players: checked, channelId: channel, expiresAtMs, state: rest as JsonValue };
}

function checkStatsPatch(change: unknown): Partial<LegacyStats> {
  if (!isObject(change)) throw new TypeError(`updatePlayerStats(id, change): change must be "win", "loss", "draw" or an object of stat counters, got ${show(change)}.`);
  const patch: Record<string, number> = {};
  for (const [field, value] of Object.entries(change)) {
    if (!(STAT_FIELDS as readonly string[]).includes(field)) throw new TypeError(`updatePlayerStats(): unknown stat ${JSON.stringify(field)}; the counters are ${STAT_FIELDS.join(", ")}.`);
    const signed = field === "score";
    if (typeof value !== "number" || !Number.isSafeInteger(value) || (!signed && value < 0)) throw new TypeError(`updatePlayerStats(): ${field} must be a whole number${signed ? "" : " from 0"}, got ${show(value)}.`);
    patch[field] = value;
  }
  return patch;
}

function checkDocument(what: string, document: unknown): unknown {
  if (typeof document === "object" && document !== null) return document;
  throw new TypeError(`${what}() takes an object keyed by id or an array of records, got ${describe(document)}.`);
}

function throwProblems(what: string, problems: readonly LegacyProblem[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 5).map((problem) => `${problem.where}: ${problem.why}`);
  throw new TypeError(`${what}(): ${problems.length} record(s) cannot be saved, nothing was written: ${shown.join("; ")}${problems.length > 5 ? "; ..." : ""}.`);
}

async function readMany(context: Context, keys: readonly string[]): Promise<Map<string, JsonValue>> {
  const values = new Map<string, JsonValue>();
  for (let start = 0; start < keys.length; start += GET_MANY_KEYS_MAX) {
    const entries = await context.kv.getMany(keys.slice(start, start + GET_MANY_KEYS_MAX));
    for (const entry of entries) if (entry !== undefined) values.set(entry.key, entry.value);
  }
  return values;
}

/** Whether the stored value (raw, possibly an older version) already says what `player` says. */
function samePlayer(stored: JsonValue | Player | undefined, player: Player): boolean {
  if (stored === undefined || !isObject(stored) || stored.v !== PLAYER.current) return false;
  const current = stored as Player;
  return current.name === player.name && canonical(current.stats) === canonical(player.stats);
}

function sameAccount(stored: JsonValue | { balance: number; lastDailyAtMs: number | null } | undefined, account: MappedAccount): boolean {
  if (stored === undefined || !isObject(stored)) return false;
  return stored.balance === account.balance && stored.lastDailyAtMs === account.lastDailyAtMs;
}

/** JSON with object keys sorted, so two equal values compare equal whatever order their keys were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isObject(inner) ? Object.fromEntries(Object.keys(inner).sort().map((key) => [key, inner[key]])) : inner,
  );
}

function decodeOrSkip<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    // A record failing its schema is left out here; audit() lists it.
    return undefined;
  }
}
