import type { Context } from "./tx.js";

/** Where a game keeps its context for the legacy entry (same package, not public API). */
const CONTEXTS = new WeakMap<object, Context>();

export function attachContext(game: object, context: Context): void {
  CONTEXTS.set(game, context);
}

export function contextOf(game: object): Context {
  const context = CONTEXTS.get(game);
  if (context === undefined) throw new TypeError("Expected a game made by createGame() of this copy of @store/game.");
  return context;
}
