import type { JsonValue } from "@store/fs";
import { PREFIX } from "../keys.js";
import { GAME, PLAYER, TOKENS, type Player, type TypeStats } from "../records.js";
import { decode } from "../schema.js";
import { toLegacyGameState, toLegacyTokens } from "./shapes.js";

// The inverse of the import's mapping (map.ts): the new records in the old files' shapes, for a
// JSON mirror that tools written for the old bot keep reading. Each shape is one the import reads
// back to the same record (test/legacy-export.test.ts), under the names the import tries first.

/** A player as the old `players.json` held it: the counters on the record itself (`players[id].wins`). */
export type LegacyPlayerRecord = {
  id: string;
  name: string;
  /** ms since the epoch. */
  createdAt: number;
  games: number;
  wins: number;
  losses: number;
  draws: number;
  score: number;
  streak: number;
  bestStreak: number;
  byType: { [type: string]: TypeStats };
};

export function toLegacyPlayer(player: Player): LegacyPlayerRecord {
  const { games, wins, losses, draws, score, streak, bestStreak, byType } = player.stats;
  const types = Object.fromEntries(Object.entries(byType).map(([type, stats]) => [type, { ...stats }]));
  return { id: player.id, name: player.name, createdAt: player.createdAtMs, games, wins, losses, draws, score, streak, bestStreak, byType: types };
}

/**
 * For a mirror's view transform: the record stored at `key` (under `players/`, `tokens/` or
 * `games/`) in its old shape; `undefined` for any other key. The value is decoded first, so a record
 * of an older schema version is migrated, and one that does not decode throws `GAME_SCHEMA` naming
 * the key (the mirror reports it and retries the view). Does not modify `value`.
 */
export function toLegacyRecord(key: string, value: JsonValue): JsonValue | undefined {
  if (key.startsWith(PREFIX.players)) return toLegacyPlayer(decode(PLAYER, key, value));
  if (key.startsWith(PREFIX.tokens)) return toLegacyTokens(decode(TOKENS, key, value));
  if (key.startsWith(PREFIX.games)) return toLegacyGameState(decode(GAME, key, value));
  return undefined;
}
