import type { JsonValue } from "@store/fs";
import { jsonValueProblem } from "@store/fs";
import { idProblem } from "../keys.js";
import type { Scoring } from "../options.js";
import { emptyStats, type GameRecord, type Player, type PlayerStats, type TypeStats } from "../records.js";
import { describe, isObject, type LegacyFile, type LegacyProblem, type LegacyRecord } from "./documents.js";

// How each old shape maps onto the new records. The README's "Legacy import" section is the
// documentation of these rules: change both together.

export interface MapSettings {
  readonly nowMs: number;
  readonly scoring: Scoring;
  readonly gameTtlMs: number;
  readonly gamePlayersMax: number;
}

export interface MappedAccount {
  readonly id: string;
  readonly balance: number;
  readonly lastDailyAtMs: number | null;
}

/** Reads a record's fields by their accepted names, collects what is wrong, and remembers what was used. */
class Fields {
  readonly reasons: string[] = [];
  readonly #record: Record<string, unknown>;
  readonly #used = new Set<string>();

  constructor(record: Record<string, unknown>) {
    this.#record = record;
  }

  /** The first of `names` present (and marks them all as understood). */
  take(...names: string[]): { name: string; value: unknown } | undefined {
    for (const name of names) this.#used.add(name);
    const name = names.find((candidate) => this.#record[candidate] !== undefined);
    return name === undefined ? undefined : { name, value: this.#record[name] };
  }

  count(...names: string[]): number | undefined {
    const field = this.take(...names);
    if (field === undefined) return undefined;
    if (typeof field.value === "number" && Number.isSafeInteger(field.value) && field.value >= 0) return field.value;
    this.reasons.push(`${field.name} must be a whole number from 0, got ${describe(field.value)}`);
    return undefined;
  }

  integer(...names: string[]): number | undefined {
    const field = this.take(...names);
    if (field === undefined) return undefined;
    if (typeof field.value === "number" && Number.isSafeInteger(field.value)) return field.value;
    this.reasons.push(`${field.name} must be a whole number, got ${describe(field.value)}`);
    return undefined;
  }

  /** A time: ms since the epoch, or a date string Date.parse reads. */
  time(...names: string[]): number | null | undefined {
    const field = this.take(...names);
    if (field === undefined || field.value === null) return field === undefined ? undefined : null;
    const ms = typeof field.value === "number" ? field.value : typeof field.value === "string" ? Date.parse(field.value) : Number.NaN;
    if (Number.isSafeInteger(ms) && ms >= 0) return ms;
    this.reasons.push(`${field.name} must be a time (ms since 1970 or an ISO date), got ${describe(field.value)}`);
    return undefined;
  }

  string(lengthMax: number, ...names: string[]): string | undefined {
    const field = this.take(...names);
    if (field === undefined) return undefined;
    if (typeof field.value === "string" && field.value.trim().length > 0 && field.value.length <= lengthMax) return field.value;
    this.reasons.push(`${field.name} must be a non-empty string of at most ${lengthMax} characters, got ${describe(field.value)}`);
    return undefined;
  }

  /** The fields no rule used. */
  rest(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.#record).filter(([name]) => !this.#used.has(name)));
  }
}

function fail(record: LegacyRecord, problems: LegacyProblem[], why: string): void {
  problems.push({ file: record.file, where: record.where, id: record.id, why });
}

function checkId(record: LegacyRecord, problems: LegacyProblem[]): boolean {
  const problem = idProblem(record.id);
  if (problem === undefined) return true;
  fail(record, problems, `the id ${problem}`);
  return false;
}

/** Counts the fields of `file` records that no rule maps (reported as notes, not failures). */
export function noteIgnored(ignored: Map<string, number>, file: LegacyFile, rest: Record<string, unknown>): void {
  for (const name of Object.keys(rest)) ignored.set(`${file}.${name}`, (ignored.get(`${file}.${name}`) ?? 0) + 1);
}

export function mapPlayer(record: LegacyRecord, settings: MapSettings, problems: LegacyProblem[], ignored: Map<string, number>): Player | undefined {
  if (!checkId(record, problems)) return undefined;
  if (!isObject(record.value)) {
    fail(record, problems, `a player must be an object, got ${describe(record.value)}`);
    return undefined;
  }
  const fields = new Fields(record.value);
  fields.take("id", "userId", "user_id");
  const name = fields.string(100, "name", "username", "displayName", "display_name", "tag") ?? record.id;
  const createdAtMs = fields.time("createdAtMs", "createdAt", "created_at", "joinedAt", "joined") ?? settings.nowMs;
  const nested = fields.take("stats");
  let stats: PlayerStats | undefined;
  if (nested === undefined) stats = mapStats(fields, settings.scoring);
  else if (isObject(nested.value)) {
    const statFields = new Fields(nested.value);
    stats = mapStats(statFields, settings.scoring);
    fields.reasons.push(...statFields.reasons.map((reason) => `stats.${reason}`));
    noteIgnored(ignored, record.file, Object.fromEntries(Object.keys(statFields.rest()).map((key) => [`stats.${key}`, true])));
  } else fields.reasons.push(`stats must be an object, got ${describe(nested.value)}`);
  if (fields.reasons.length > 0 || stats === undefined) {
    fail(record, problems, fields.reasons.join("; "));
    return undefined;
  }
  noteIgnored(ignored, record.file, fields.rest());
  return { v: 2, id: record.id, name, createdAtMs, stats };
}

/** Stats from flat counters (on the player or in its `stats`); absent counters are 0. */
function mapStats(fields: Fields, scoring: Scoring): PlayerStats | undefined {
  const base = mapTypeStats(fields, scoring);
  const streak = fields.count("streak", "currentStreak", "winStreak") ?? 0;
  const bestStreak = Math.max(streak, fields.count("bestStreak", "maxStreak", "longestStreak") ?? 0);
  const perType = fields.take("byType", "perType", "types");
  const byType: Record<string, TypeStats> = {};
  if (perType !== undefined) {
    if (!isObject(perType.value)) fields.reasons.push(`${perType.name} must be an object keyed by game type, got ${describe(perType.value)}`);
    else {
      for (const [type, value] of Object.entries(perType.value)) {
        if (type.length === 0 || type.length > 64 || !isObject(value)) {
          fields.reasons.push(`${perType.name}[${JSON.stringify(type)}] must be an object of counters under a type of 1 to 64 characters`);
          continue;
        }
        const typeFields = new Fields(value);
        const typeStats = mapTypeStats(typeFields, scoring);
        fields.reasons.push(...typeFields.reasons.map((reason) => `${perType.name}.${type}.${reason}`));
        if (typeStats !== undefined) byType[type] = typeStats;
      }
    }
  }
  if (base === undefined) return undefined;
  return { ...emptyStats(), ...base, streak, bestStreak, byType };
}

function mapTypeStats(fields: Fields, scoring: Scoring): TypeStats | undefined {
  const wins = fields.count("wins", "won") ?? 0;
  const losses = fields.count("losses", "lost") ?? 0;
  const draws = fields.count("draws", "ties", "tied") ?? 0;
  const played = wins + losses + draws;
  const games = fields.count("games", "gamesPlayed", "played", "totalGames") ?? played;
  if (games < played) fields.reasons.push(`games (${games}) is less than wins + losses + draws (${played})`);
  const score = fields.integer("score", "points") ?? wins * scoring.win + draws * scoring.draw + losses * scoring.loss;
  return fields.reasons.length > 0 ? undefined : { games, wins, losses, draws, score };
}

export function mapAccount(record: LegacyRecord, problems: LegacyProblem[], ignored: Map<string, number>): MappedAccount | undefined {
  if (!checkId(record, problems)) return undefined;
  const value = record.value;
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 0) return { id: record.id, balance: value, lastDailyAtMs: null };
    {
      fail(record, problems, value < 0 ? `negative balance ${value}` : `a balance must be a whole number of tokens, got ${value}`);
      return undefined;
    }
  }
  if (!isObject(value)) {
    fail(record, problems, `a token entry must be a number or { balance, lastDaily? }, got ${describe(value)}`);
    return undefined;
  }
  const fields = new Fields(value);
  fields.take("id", "userId", "user_id");
  const balanceField = fields.take("balance", "tokens", "coins", "amount");
  const lastDailyAtMs = fields.time("lastDaily", "lastDailyAt", "lastDailyAtMs", "lastClaim", "daily") ?? null;
  let balance: number | undefined;
  if (balanceField === undefined) fields.reasons.push("no balance (balance, tokens, coins or amount)");
  else if (typeof balanceField.value === "number" && Number.isSafeInteger(balanceField.value)) {
    if (balanceField.value < 0) fields.reasons.push(`negative balance ${balanceField.value}`);
    else balance = balanceField.value;
  } else fields.reasons.push(`${balanceField.name} must be a whole number of tokens, got ${describe(balanceField.value)}`);
  if (fields.reasons.length > 0 || balance === undefined) {
    fail(record, problems, fields.reasons.join("; "));
    return undefined;
  }
  noteIgnored(ignored, record.file, fields.rest());
  return { id: record.id, balance, lastDailyAtMs };
}

export function mapGame(record: LegacyRecord, settings: MapSettings, problems: LegacyProblem[]): GameRecord | undefined {
  if (!checkId(record, problems)) return undefined;
  if (!isObject(record.value)) {
    fail(record, problems, `a game state must be an object, got ${describe(record.value)}`);
    return undefined;
  }
  const fields = new Fields(record.value);
  fields.take("id", "gameId", "game_id");
  const type = fields.string(64, "type", "gameType", "game", "kind");
  if (type === undefined && fields.reasons.length === 0) fields.reasons.push("no game type (type, gameType, game or kind)");
  const players = mapGamePlayers(fields, settings.gamePlayersMax);
  const stakes = players === undefined ? undefined : mapStakes(fields, players);
  const channelField = fields.take("channelId", "channel", "channel_id");
  const channelId = channelField === undefined || channelField.value === null ? null : typeof channelField.value === "string" || typeof channelField.value === "number" ? String(channelField.value) : undefined;
  if (channelId === undefined) fields.reasons.push(`${channelField!.name} must be a string, got ${describe(channelField!.value)}`);
  const createdAtMs = fields.time("createdAtMs", "createdAt", "created_at", "startedAt") ?? settings.nowMs;
  const expiresAtMs = fields.time("expiresAtMs", "expiresAt", "expires_at", "expires") ?? settings.nowMs + settings.gameTtlMs;
  const rest = fields.rest();
  // The caller's own state: a `state` field if that is all that is left, else every field left.
  const state = (Object.keys(rest).length === 1 && "state" in rest ? rest.state : rest) as JsonValue;
  const stateProblem = jsonValueProblem(state);
  if (stateProblem !== undefined) fields.reasons.push(`the rest of the record is not plain JSON: ${stateProblem}`);
  if (fields.reasons.length > 0 || type === undefined || players === undefined || stakes === undefined || channelId === undefined) {
    fail(record, problems, fields.reasons.join("; "));
    return undefined;
  }
  return { v: 2, id: record.id, type, channelId, players, stakes, joinStake: 0, state, createdAtMs, updatedAtMs: createdAtMs, expiresAtMs };
}

/** Players as an array of ids (or of objects with an id), or an object keyed by id. */
function mapGamePlayers(fields: Fields, playersMax: number): string[] | undefined {
  const field = fields.take("players", "playerIds", "participants");
  if (field === undefined) {
    fields.reasons.push("no players (players, playerIds or participants)");
    return undefined;
  }
  const raw: unknown[] = Array.isArray(field.value) ? field.value : isObject(field.value) ? Object.keys(field.value) : [];
  const ids = raw.map((player) => (isObject(player) ? (player.id ?? player.userId) : player)).map((id) => (typeof id === "number" ? String(id) : id));
  const bad = ids.find((id) => typeof id !== "string" || idProblem(id) !== undefined);
  if (ids.length === 0 || bad !== undefined) {
    fields.reasons.push(`${field.name} must list 1 or more player ids, got ${bad === undefined ? describe(field.value) : describe(bad)}`);
    return undefined;
  }
  const players = ids as string[];
  if (new Set(players).size !== players.length) fields.reasons.push(`${field.name} lists a player twice`);
  if (players.length > playersMax) fields.reasons.push(`${field.name} has ${players.length} players, more than gamePlayersMax (${playersMax})`);
  return players;
}

/** Stakes as an object keyed by player, or one number every player staked (stake, bet, wager). */
function mapStakes(fields: Fields, players: readonly string[]): Record<string, number> | undefined {
  const field = fields.take("stakes", "stake", "bet", "wager", "bets");
  const stakes = Object.fromEntries(players.map((player) => [player, 0]));
  if (field === undefined) return stakes;
  if (typeof field.value === "number") {
    if (!Number.isSafeInteger(field.value) || field.value < 0) {
      fields.reasons.push(`${field.name} must be a whole number of tokens from 0, got ${field.value}`);
      return undefined;
    }
    for (const player of players) stakes[player] = field.value;
    return stakes;
  }
  if (!isObject(field.value)) {
    fields.reasons.push(`${field.name} must be a number or an object keyed by player, got ${describe(field.value)}`);
    return undefined;
  }
  for (const [player, stake] of Object.entries(field.value)) {
    if (!players.includes(player)) fields.reasons.push(`${field.name} names ${JSON.stringify(player)}, who is not a player of the game`);
    else if (typeof stake !== "number" || !Number.isSafeInteger(stake) || stake < 0) fields.reasons.push(`${field.name}.${player} must be a whole number of tokens from 0, got ${describe(stake)}`);
    else stakes[player] = stake;
  }
  return stakes;
}
