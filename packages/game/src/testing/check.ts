import type { JsonValue } from "@store/fs";
import type { KeyValueStore } from "@store/kv";
import type { Game } from "../game.js";
import { runCrashOp, type CrashOp } from "./ops.js";

export interface Acknowledged {
  readonly op: CrashOp;
  readonly result: JsonValue;
}

/** A broken guarantee found by `checkAfterCrash`: what was expected and what was found. */
export class CrashCheckError extends Error {
  override readonly name = "CrashCheckError";
}

/**
 * What must hold once a store the crash workload wrote is open again, with a game created on it
 * with a clock past every expiry the workload set: `audit()` holds with nothing in escrow (every
 * game that was not settled was refunded when `createGame` swept), no game is left, and every
 * acknowledged operation run again with its key resolves with its first result (so it was
 * applied) and writes nothing (so it is not applied twice), decisions included: a repeat that
 * tries to draw again fails. Throws a `CrashCheckError` saying what broke; resolves with the
 * number of operations run again.
 */
export async function checkAfterCrash(game: Game, kv: KeyValueStore, acknowledged: readonly Acknowledged[]): Promise<number> {
  const left = await game.games.list();
  if (left.length > 0) fail(`${left.length} game(s) past their expiry were not refunded when the game layer opened: ${left.slice(0, 3).map((record) => record.id).join(", ")}`);
  const report = await game.audit();
  if (!report.ok || report.escrow !== 0) fail(`audit() after the reopen: ${JSON.stringify(report)}`);
  const seq = (await kv.stats()).seq;
  for (const { op, result } of acknowledged) {
    let again: JsonValue;
    try {
      again = await runCrashOp(game, op);
    } catch (error) {
      fail(`the acknowledged ${JSON.stringify(op)} was refused when run again: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (canonical(again) !== canonical(result)) fail(`the acknowledged ${JSON.stringify(op)} resolved first with ${JSON.stringify(result)}, then with ${JSON.stringify(again)}`);
  }
  const after = (await kv.stats()).seq;
  if (after !== seq) fail(`running the ${acknowledged.length} acknowledged operations again wrote something (seq ${seq} became ${after}): one was applied twice, or was lost`);
  const final = await game.audit();
  if (!final.ok || final.seq !== seq) fail(`audit() after the repeats: ${JSON.stringify(final)}`);
  return acknowledged.length;
}

/** JSON with object keys sorted: a result read back from a store may list its keys in another order. */
function canonical(value: JsonValue): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === "object" && inner !== null && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : inner,
  );
}

function fail(message: string): never {
  throw new CrashCheckError(message);
}
