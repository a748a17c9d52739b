import type { JsonValue } from "@store/fs";
import type { GameRecord, Player, PlayerStats, TokenAccount } from "../records.js";
import { isObject } from "./documents.js";

// The shapes the legacy functions hand out: the old files' shapes as the importer reads them, so
// what `loadPlayers()` returns can be given back to `savePlayers()` (and to `importLegacy`).

export type LegacyStats = PlayerStats;

export type LegacyPlayer = {
  id: string;
  name: string;
  /** ms since the epoch. */
  createdAt: number;
  stats: LegacyStats;
};

export type LegacyTokens = {
  balance: number;
  /** ms since the epoch of the last daily claim, or null. */
  lastDaily: number | null;
};

/** The game's own state fields (when it is an object), then the fields the game layer keeps. */
export type LegacyGameState = {
  [field: string]: JsonValue;
  id: string;
  type: string;
  players: string[];
  stakes: { [player: string]: number };
  channelId: string | null;
  createdAt: number;
  expiresAt: number;
};

/** The legacy functions' player (`loadPlayers()`): the counters under `stats`. */
export function toLegacyApiPlayer(player: Player): LegacyPlayer {
  return { id: player.id, name: player.name, createdAt: player.createdAtMs, stats: structuredClone(player.stats) };
}

/** An account as the old `tokens.json` held it (what `importLegacy` maps back to the same balance and daily claim). */
export function toLegacyTokens(account: Pick<TokenAccount, "balance" | "lastDailyAtMs">): LegacyTokens {
  return { balance: account.balance, lastDaily: account.lastDailyAtMs };
}

/** A game as the old `gameStates.json` held it: its own state's fields, then the fields the game layer keeps. */
export function toLegacyGameState(game: GameRecord): LegacyGameState {
  const own = isObject(game.state) ? structuredClone(game.state as Record<string, JsonValue>) : game.state === null ? {} : { state: game.state };
  return {
    ...own,
    id: game.id,
    type: game.type,
    players: [...game.players],
    stakes: { ...game.stakes },
    channelId: game.channelId,
    createdAt: game.createdAtMs,
    expiresAt: game.expiresAtMs,
  };
}
