import type { Game } from "../game.js";
import { createLegacyApi, type LegacyApi } from "./api.js";

// The old design's storage functions over the new layer, so an old bot switches by changing its
// import (and calling `useGame(game)` once at start). They are async: `await` them.

export { createLegacyApi, type LegacyApi } from "./api.js";
export type { LegacyGameState, LegacyPlayer, LegacyStats, LegacyTokens } from "./shapes.js";
export { toLegacyGameState, toLegacyTokens } from "./shapes.js";
export { toLegacyPlayer, toLegacyRecord, type LegacyPlayerRecord } from "./export.js";
export type { ImportReport, LegacyInput } from "./import.js";
export type { LegacyFile, LegacyProblem, LegacySource } from "./documents.js";

let current: LegacyApi | undefined;

/** Sets the game the module-level functions below work on. */
export function useGame(game: Game): void {
  current = createLegacyApi(game);
}

function api(): LegacyApi {
  if (current === undefined) throw new TypeError("@store/game/legacy: call useGame(await createGame(kv)) once before the storage functions.");
  return current;
}

export const loadPlayers: LegacyApi["loadPlayers"] = async () => api().loadPlayers();
export const getPlayer: LegacyApi["getPlayer"] = async (id) => api().getPlayer(id);
export const savePlayers: LegacyApi["savePlayers"] = async (players) => api().savePlayers(players);
export const updatePlayerStats: LegacyApi["updatePlayerStats"] = async (id, change, gameType) => api().updatePlayerStats(id, change, gameType);
export const loadTokens: LegacyApi["loadTokens"] = async () => api().loadTokens();
export const getBalance: LegacyApi["getBalance"] = async (id) => api().getBalance(id);
export const addTokens: LegacyApi["addTokens"] = async (id, amount, options) => api().addTokens(id, amount, options);
export const removeTokens: LegacyApi["removeTokens"] = async (id, amount, options) => api().removeTokens(id, amount, options);
export const saveTokens: LegacyApi["saveTokens"] = async (tokens) => api().saveTokens(tokens);
export const getAllGameStates: LegacyApi["getAllGameStates"] = async () => api().getAllGameStates();
export const getGameState: LegacyApi["getGameState"] = async (id) => api().getGameState(id);
export const saveGameState: LegacyApi["saveGameState"] = async (id, state) => api().saveGameState(id, state);
export const deleteGameState: LegacyApi["deleteGameState"] = async (id) => api().deleteGameState(id);
