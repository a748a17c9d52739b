import { createHash } from "node:crypto";
import type { JsonValue } from "@store/fs";
import { GET_MANY_KEYS_MAX, update, type WriteOp } from "@store/kv";
import { GameError, hasCode } from "../errors.js";
import { IMPORTED_PREFIX, IMPORT_CHUNK_PREFIX, IMPORT_KEY, gameKey, playerKey, tokensKey } from "../keys.js";
import { GAME, IMPORT_MARKER, PLAYER, TOKENS, type GameRecord, type ImportMarker, type Player, type TokenRecord } from "../records.js";
import { encode } from "../schema.js";
import type { Context } from "../tx.js";
import { loadDocument, recordsOf, type LegacyFile, type LegacyProblem, type LegacyRecord, type LegacySource } from "./documents.js";
import { mapAccount, mapGame, mapPlayer, type MapSettings } from "./map.js";
import { rollBackInterruptedImport } from "./rollback.js";

export interface LegacyInput {
  readonly players?: LegacySource;
  readonly tokens?: LegacySource;
  readonly gameStates?: LegacySource;
}

export type ImportReport = {
  /** Whether this call wrote the import (false: nothing was written). */
  imported: boolean;
  /** The same documents were imported before: nothing was written again. */
  alreadyImported: boolean;
  /** SHA-256 of the three parsed documents: what marks them as imported. */
  digest: string;
  counts: { players: number; accounts: number; games: number; tokens: number };
  /** Every record that could not be mapped (what, where, why). Any problem: nothing is imported. */
  problems: LegacyProblem[];
  /** Fields no rule maps, with how many records had them (kept nowhere, except a game's go to its state). */
  ignoredFields: Array<{ field: string; records: number }>;
  /** The seq of the import's last batch, or null when nothing was written. */
  seq: number | null;
};

/** Where the done marker of an import lives: one per digest, so the same files imported again change nothing. */
const importedKey = (digest: string): string => `${IMPORTED_PREFIX}${digest}`;

interface Plan {
  readonly writes: Array<{ key: string; value: JsonValue }>;
  /** `counts.tokens`: every imported balance and stake, counted as granted by the done marker. */
  readonly counts: ImportReport["counts"];
}

/**
 * Imports the old design's `players.json`, `tokens.json` and `gameStates.json`, all or nothing.
 * Every record is mapped first (the rules are in map.ts and the README); if any fails, or any target
 * key exists already, nothing is written and the report lists them all. Imported balances and
 * escrowed stakes are counted as granted by the import's done marker (`granted`), so `audit()`
 * holds after it without the import touching any record it did not create.
 *
 * Small imports are one batch. Larger ones (over `importBatchOpsMax` operations) write a pending
 * marker first, then chunks that each record the keys they created, then one last batch that
 * writes the done marker (which counts the tokens) and removes the pending one. While it is pending every game
 * operation refuses (GAME_IMPORT_PENDING); a failure rolls it back, and so does the next createGame
 * after a crash, so an interrupted import leaves nothing behind.
 */
export async function importLegacy(context: Context, input: LegacyInput): Promise<ImportReport> {
  if (typeof input !== "object" || (input as unknown) === null) throw new TypeError("importLegacy() takes { players?, tokens?, gameStates? } (file text, bytes or parsed JSON).");
  const problems: LegacyProblem[] = [];
  const documents = (["players", "tokens", "gameStates"] as const).map((file) => [file, loadDocument(file, input[file], problems)] as const);
  const digest = createHash("sha256").update(JSON.stringify(documents.map(([, document]) => document ?? null))).digest("hex");
  const ignored = new Map<string, number>();
  const records = new Map<LegacyFile, LegacyRecord[]>(documents.map(([file, document]) => [file, uniqueRecords(recordsOf(file, document, problems), problems)]));
  const nowMs = context.options.now();
  const plan = planImport(records, { nowMs, scoring: context.options.scoring, gameTtlMs: context.options.gameTtlMs, gamePlayersMax: context.options.gamePlayersMax }, problems, ignored);
  const report = (imported: boolean, alreadyImported: boolean, seq: number | null): ImportReport => ({
    imported,
    alreadyImported,
    digest,
    counts: plan.counts,
    problems,
    ignoredFields: [...ignored].map(([field, count]) => ({ field, records: count })),
    seq,
  });
  if (problems.length > 0) return report(false, false, null);
  context.assertOpen();
  if ((await context.kv.get(importedKey(digest))) !== undefined) return report(false, true, null);
  await findExisting(context, plan, records, problems);
  if (problems.length > 0) return report(false, false, null);
  const opsTotal = plan.writes.length + 2;
  const seq = opsTotal <= context.options.importBatchOpsMax ? await writeOneBatch(context, plan, digest, nowMs) : await writeInChunks(context, plan, digest, nowMs);
  return report(true, false, seq);
}

function uniqueRecords(records: LegacyRecord[], problems: LegacyProblem[]): LegacyRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    if (!seen.has(record.id)) return seen.add(record.id);
    problems.push({ file: record.file, where: record.where, id: record.id, why: "a second record with this id" });
    return false;
  });
}

function planImport(records: Map<LegacyFile, LegacyRecord[]>, settings: MapSettings, problems: LegacyProblem[], ignored: Map<string, number>): Plan {
  const writes: Plan["writes"] = [];
  const counts = { players: 0, accounts: 0, games: 0, tokens: 0 };
  for (const record of records.get("players") ?? []) {
    const player: Player | undefined = mapPlayer(record, settings, problems, ignored);
    if (player === undefined) continue;
    writes.push({ key: playerKey(player.id), value: encode(PLAYER, playerKey(player.id), player) });
    counts.players += 1;
  }
  for (const record of records.get("tokens") ?? []) {
    const account = mapAccount(record, problems, ignored);
    if (account === undefined) continue;
    const recent = account.balance === 0 ? [] : [[settings.nowMs, "import", account.balance, account.balance, null, "legacy import"] as const];
    // The balance is counted as granted by the import's done marker, not here.
    const value: TokenRecord = { v: 2, id: account.id, balance: account.balance, granted: 0, spent: 0, lastDailyAtMs: account.lastDailyAtMs, movements: recent.length, recent };
    writes.push({ key: tokensKey(account.id), value: encode(TOKENS, tokensKey(account.id), value) });
    counts.tokens += account.balance;
    counts.accounts += 1;
  }
  for (const record of records.get("gameStates") ?? []) {
    const game: GameRecord | undefined = mapGame(record, settings, problems);
    if (game === undefined) continue;
    writes.push({ key: gameKey(game.id), value: encode(GAME, gameKey(game.id), game) });
    counts.tokens += Object.values(game.stakes).reduce((sum, stake) => sum + stake, 0);
    counts.games += 1;
  }
  if (!Number.isSafeInteger(counts.tokens)) problems.push({ file: "tokens", where: "(document)", id: null, why: "the balances and stakes add up past Number.MAX_SAFE_INTEGER" });
  return { writes, counts };
}

/** A target key that exists already is a problem: an import never overwrites the new layer's data. */
async function findExisting(context: Context, plan: Plan, records: Map<LegacyFile, LegacyRecord[]>, problems: LegacyProblem[]): Promise<void> {
  const whereOf = new Map<string, LegacyRecord>();
  for (const record of records.get("players") ?? []) whereOf.set(playerKey(record.id), record);
  for (const record of records.get("tokens") ?? []) whereOf.set(tokensKey(record.id), record);
  for (const record of records.get("gameStates") ?? []) whereOf.set(gameKey(record.id), record);
  for (let start = 0; start < plan.writes.length; start += GET_MANY_KEYS_MAX) {
    const keys = plan.writes.slice(start, start + GET_MANY_KEYS_MAX).map((write) => write.key);
    const entries = await context.kv.getMany(keys);
    entries.forEach((entry, index) => {
      if (entry === undefined) return;
      const record = whereOf.get(keys[index]!)!;
      problems.push({ file: record.file, where: record.where, id: record.id, why: `${keys[index]!} exists in the store already (the import only adds; remove it first, or leave this record out)` });
    });
  }
}

/** The pending marker counts nothing; the done marker counts every token the import brought in. */
function marker(digest: string, state: "pending" | "done", plan: Plan, startedAtMs: number, doneAtMs: number | null): ImportMarker {
  return { v: 2, state, digest, startedAtMs, doneAtMs, counts: plan.counts, granted: state === "done" ? plan.counts.tokens : 0 };
}

async function writeOneBatch(context: Context, plan: Plan, digest: string, nowMs: number): Promise<number> {
  const doneKey = importedKey(digest);
  const keys = [IMPORT_KEY, doneKey, ...plan.writes.map((write) => write.key)];
  const { seq } = await update(
    context.kv,
    keys,
    (entries) => {
      if (entries.get(IMPORT_KEY) !== undefined) throw pendingError();
      for (const write of plan.writes) {
        if (entries.get(write.key) !== undefined) throw new GameError("GAME_EXISTS", `${write.key} was created while the import ran; nothing was imported. Run the import again for a report.`, { key: write.key });
      }
      const ops: WriteOp[] = plan.writes.map((write) => ({ type: "set", key: write.key, value: write.value }));
      // Present only if the same documents were imported meanwhile: then every record would exist
      // (refused above), so what is left to write brings no tokens (counts.tokens is 0).
      if (entries.get(doneKey) === undefined) ops.push({ type: "set", key: doneKey, value: encode(IMPORT_MARKER, doneKey, marker(digest, "done", plan, nowMs, nowMs)) });
      return { ops, result: null };
    },
    { attemptsMax: context.options.attemptsMax },
  );
  return seq!;
}

async function writeInChunks(context: Context, plan: Plan, digest: string, nowMs: number): Promise<number> {
  let markerVersion: number;
  try {
    ({ seq: markerVersion } = await context.kv.batch([{ type: "set", key: IMPORT_KEY, value: encode(IMPORT_MARKER, IMPORT_KEY, marker(digest, "pending", plan, nowMs, null)), ifVersion: null }]));
  } catch (error) {
    throw hasCode(error, "STORE_CONFLICT") ? pendingError() : error;
  }
  try {
    const chunkSize = context.options.importBatchOpsMax - 2;
    const chunkKeys: string[] = [];
    for (let start = 0; start < plan.writes.length; start += chunkSize) {
      const chunk = plan.writes.slice(start, start + chunkSize);
      const chunkKey = `${IMPORT_CHUNK_PREFIX}${String(chunkKeys.length).padStart(6, "0")}`;
      chunkKeys.push(chunkKey);
      await context.kv.batch([
        ...chunk.map((write): WriteOp => ({ type: "set", key: write.key, value: write.value, ifVersion: null })),
        { type: "set", key: chunkKey, value: { v: 1, keys: chunk.map((write) => write.key) }, ifVersion: null },
        { type: "check", key: IMPORT_KEY, ifVersion: markerVersion },
      ]);
    }
    const doneKey = importedKey(digest);
    const { seq } = await update(
      context.kv,
      [IMPORT_KEY, doneKey],
      (entries) => {
        if (entries.get(IMPORT_KEY)?.version !== markerVersion) throw new GameError("GAME_IMPORT_PENDING", "The import's pending marker changed under it (rolled back by another process?); nothing was imported.", { key: IMPORT_KEY });
        const ops: WriteOp[] = [];
        ops.push({ type: "set", key: doneKey, value: encode(IMPORT_MARKER, doneKey, marker(digest, "done", plan, nowMs, context.options.now())) });
        ops.push({ type: "delete", key: IMPORT_KEY });
        // The chunk records were written after the marker, under its precondition: deleting them
        // here, unconditionally, is safe (nothing else writes them).
        ops.push(...chunkKeys.map((key): WriteOp => ({ type: "delete", key })));
        return { ops, result: null };
      },
      { attemptsMax: context.options.attemptsMax },
    );
    return seq!;
  } catch (error) {
    await rollBackInterruptedImport(context.kv);
    throw error;
  }
}

function pendingError(): GameError {
  return new GameError("GAME_IMPORT_PENDING", "Another legacy import is under way (or one was interrupted: open the game again to roll it back); nothing was imported.", { key: IMPORT_KEY });
}
