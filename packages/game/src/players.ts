import { assertId, playerKey } from "./keys.js";
import { show } from "./options.js";
import { PLAYER, type Player } from "./records.js";
import { decode } from "./schema.js";
import { applyResult, assertGameType, assertOutcome, assertScore, newPlayer, type GameResult } from "./stats.js";
import { assertOptions, type OperationOptions } from "./tokens.js";
import { perform, type Context } from "./tx.js";

export interface Players {
  get(id: string): Promise<Player | undefined>;
  /** Creates the player, or renames one whose name differs. Resolves with the record as written. */
  upsert(id: string, profile: { readonly name: string }, options?: OperationOptions): Promise<Player>;
  /** Adds one game's result to the player's stats (creating the player, named by id, if needed). */
  recordResult(id: string, result: GameResult, options?: OperationOptions): Promise<Player>;
}

export function createPlayers(context: Context): Players {
  return {
    get: async (id) => {
      context.assertOpen();
      assertId(id, "player id");
      const entry = await context.kv.get(playerKey(id));
      return entry === undefined ? undefined : decode(PLAYER, playerKey(id), entry.value);
    },
    upsert: async (id, profile, opts = {}) => {
      assertId(id, "player id");
      const name = typeof profile === "object" && (profile as unknown) !== null ? (profile as { name?: unknown }).name : undefined;
      if (typeof name !== "string" || name.trim().length === 0 || name.length > 100) throw new TypeError(`A player's name must be 1 to 100 characters, got ${show(name)}.`);
      assertOptions(opts);
      return perform(context, {
        op: "upsertPlayer",
        args: { id, name },
        idempotencyKey: opts.idempotencyKey,
        keys: [playerKey(id)],
        plan: (tx) => {
          const current = tx.player(id);
          const next = current === undefined ? newPlayer(id, name, tx.nowMs) : { ...current, name };
          // An unchanged, current-version record is not rewritten; an older version is (migrated).
          if (current?.name !== name || tx.storedVersion(playerKey(id)) !== PLAYER.current) tx.set(PLAYER, playerKey(id), next);
          return next;
        },
      });
    },
    recordResult: async (id, result, opts = {}) => {
      assertId(id, "player id");
      if (typeof result !== "object" || (result as unknown) === null) throw new TypeError(`recordResult() takes { type, outcome, score? }, got ${show(result)}.`);
      assertGameType(result.type);
      assertOutcome(result.outcome);
      assertScore(result.score);
      assertOptions(opts);
      const score = result.score ?? context.options.scoring[result.outcome];
      return perform(context, {
        op: "recordResult",
        args: { id, type: result.type, outcome: result.outcome, score },
        idempotencyKey: opts.idempotencyKey,
        keys: [playerKey(id)],
        plan: (tx) => {
          const current = tx.player(id) ?? newPlayer(id, undefined, tx.nowMs);
          const next = { ...current, stats: applyResult(current.stats, result.type, result.outcome, score) };
          tx.set(PLAYER, playerKey(id), next);
          return next;
        },
      });
    },
  };
}
