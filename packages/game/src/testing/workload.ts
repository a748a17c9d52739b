import type { JsonValue } from "@store/fs";
import type { Game } from "../game.js";
import { runCrashOp, type CrashOp } from "./ops.js";

export interface CrashWorkloadOptions {
  /** Distinguishes this run's keys and ids from other runs' on the same store (a kill round). */
  readonly round: number;
  /** The game layer's clock, for the expiry of the games left to expire. */
  readonly now: () => number;
  /** Each acknowledged operation with its result, called before the player goes on. Print it synchronously. */
  readonly onAck: (op: CrashOp, result: JsonValue) => void;
  /** Each refusal (`GAME_INSUFFICIENT_FUNDS`, `GAME_COOLDOWN`, ...), which applied nothing. */
  readonly onRefused?: ((op: CrashOp, code: string) => void) | undefined;
  /** Concurrent players. Default 64. */
  readonly players?: number | undefined;
  /** Operations each player starts (a game counts once). Default: no end (the process is killed). */
  readonly opsPerPlayer?: number | undefined;
  /** Varies every player's choices (the round and the player's index vary them too). Default 0. */
  readonly seed?: number | undefined;
}

/**
 * The kill -9 workload: concurrent players (default 64) each take 1,000 tokens, then transfer,
 * flip coins against the house (`games.play`), duel (create with a `joinStake`, the rival joins
 * without naming it, the winner drawn by `settle`'s decision function), play house games settled
 * with a fixed request, claim their daily tokens, spend, and leave games to expire 30 ms after
 * they start. Each player's choices come from a seed of `seed`, the round and the player; the
 * draws inside the batches too. Operations and their results go to `onAck`; an error that is not a
 * refusal (a `code`) ends the run.
 */
export async function runCrashWorkload(game: Game, options: CrashWorkloadOptions): Promise<void> {
  const players = options.players ?? 64;
  const act = async (op: CrashOp, draw: () => number): Promise<boolean> => {
    try {
      options.onAck(op, await runCrashOp(game, op, draw));
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== "string") throw error;
      options.onRefused?.(op, code);
      return false;
    }
  };
  await Promise.all(Array.from({ length: players }, (_, index) => playOne(index, players, options, act)));
}

async function playOne(index: number, players: number, options: CrashWorkloadOptions, act: (op: CrashOp, draw: () => number) => Promise<boolean>): Promise<void> {
  const { round, now } = options;
  const me = `p${index}`;
  const next = random(Math.imul(options.seed ?? 0, 0x9e3779b1) ^ (round * 1000 + index));
  const pick = (n: number): number => Math.floor(next() * n);
  const other = (): string => `p${(index + 1 + pick(players - 1)) % players}`;
  await act({ kind: "grant", key: `init-${me}`, player: me, amount: 1000 }, next);
  for (let n = 0; n < (options.opsPerPlayer ?? Number.POSITIVE_INFINITY); n += 1) {
    const key = `r${round}-${me}-${n}`;
    const roll = next();
    const stake = 1 + pick(20);
    if (roll < 0.25) await act({ kind: "transfer", key, from: me, to: other(), amount: 1 + pick(50) }, next);
    else if (roll < 0.45) await act({ kind: "flip", key, id: `${key}-flip`, player: me, bet: stake }, next);
    else if (roll < 0.6) {
      const id = `${key}-duel`;
      if (await act({ kind: "create", key: `${key}-c`, id, players: [me], stakes: { [me]: stake }, joinStake: stake, expiresAtMs: null }, next)) {
        // A rival short of tokens leaves the duel to expire: the refund is checked after the crash.
        if (await act({ kind: "join", key: `${key}-j`, id, player: other() }, next)) await act({ kind: "settle-drawn", key: `${key}-s`, id }, next);
      }
    } else if (roll < 0.7) {
      const id = `${key}-house`;
      if (await act({ kind: "create", key: `${key}-c`, id, players: [me], stakes: { [me]: stake }, joinStake: 0, expiresAtMs: null }, next)) {
        await act({ kind: "settle", key: `${key}-s`, id, results: { [me]: next() < 0.5 ? "win" : "loss" }, payouts: next() < 0.5 ? { [me]: stake * 2 } : {} }, next);
      }
    } else if (roll < 0.85) await act({ kind: "daily", key, player: me }, next);
    else if (roll < 0.95) await act({ kind: "create", key, id: `${key}-left`, players: [me], stakes: { [me]: stake }, joinStake: 0, expiresAtMs: now() + 30 }, next);
    else await act({ kind: "spend", key, player: me, amount: 1 + pick(10) }, next);
  }
}

/** mulberry32: a small seeded generator, the same in every process. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
