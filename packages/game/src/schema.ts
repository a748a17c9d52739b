import { jsonValueProblem, quote, type JsonValue } from "@store/fs";
import { z } from "zod";
import { GameError } from "./errors.js";

/**
 * One kind of record and every schema version it has had. Reading migrates an older version step
 * by step to the current one (so it is rewritten in the current version when next written); a
 * newer version than this code knows is refused, never overwritten: a later release wrote it, and
 * rewriting it in an older shape would drop what that release added.
 */
export interface RecordKind<T> {
  /** What the record is, for messages ("player", "token account", ...). */
  readonly name: string;
  readonly current: number;
  readonly schema: z.ZodType<T>;
  /** For records keyed by their `id`: the key prefix, so a record whose `id` differs from its key is refused. */
  readonly idPrefix?: string;
  /** For each older version `v`: its schema and the step that turns it into version `v + 1`. */
  readonly older: ReadonlyMap<number, { readonly schema: z.ZodType; readonly up: (value: never) => unknown }>;
}

/** Any JSON value, checked with the store's own rule (no NaN, no undefined, plain objects only). */
export const jsonValue = z.custom<JsonValue>((value) => jsonValueProblem(value) === undefined, { message: "not plain JSON" });

/** Integers JavaScript holds exactly: every balance, amount and counter. */
export const count = z.int().nonnegative();

/** Validates (and migrates) a stored value; throws GAME_SCHEMA naming the key and what is wrong. */
export function decode<T>(kind: RecordKind<T>, key: string, value: JsonValue): T {
  const version = versionOf(value);
  if (version === undefined) {
    throw schemaError(kind, key, undefined, "it has no schema version `v` (a positive integer)");
  }
  if (version > kind.current) {
    throw new GameError(
      "GAME_SCHEMA",
      `The ${kind.name} at ${quote(key)} has schema version ${version}, newer than the ${kind.current} this @store/game knows: a newer release wrote it. Upgrade @store/game; the record is left untouched.`,
      { key, version },
    );
  }
  let current: unknown = value;
  for (let step = version; step < kind.current; step += 1) {
    const older = kind.older.get(step);
    if (older === undefined) throw schemaError(kind, key, version, `version ${step} was never a version of this record`);
    const parsed = older.schema.safeParse(current);
    if (!parsed.success) throw schemaError(kind, key, version, z.prettifyError(parsed.error));
    current = older.up(parsed.data as never);
  }
  const parsed = kind.schema.safeParse(current);
  if (!parsed.success) throw schemaError(kind, key, version, z.prettifyError(parsed.error));
  checkId(kind, key, parsed.data, version);
  return parsed.data;
}

function checkId<T>(kind: RecordKind<T>, key: string, record: T, version: number): void {
  if (kind.idPrefix === undefined) return;
  const id = (record as { id?: unknown }).id;
  if (id !== key.slice(kind.idPrefix.length)) throw schemaError(kind, key, version, `its id ${JSON.stringify(id)} is not the one in its key`);
}

/** Why `value` fails its schema, or undefined when it decodes (for `audit()`). */
export function decodeProblem(kind: RecordKind<unknown>, key: string, value: JsonValue): string | undefined {
  try {
    decode(kind, key, value);
    return undefined;
  } catch (error) {
    if (error instanceof GameError) return error.message;
    throw error;
  }
}

/**
 * Validates a record this code is about to write: a failure is a bug in the game layer (or a
 * caller's state that is not JSON), so it is refused before the store is touched.
 */
export function encode<T>(kind: RecordKind<T>, key: string, record: T): JsonValue {
  const parsed = kind.schema.safeParse(record);
  if (!parsed.success) throw schemaError(kind, key, kind.current, z.prettifyError(parsed.error));
  checkId(kind, key, record, kind.current);
  return record as JsonValue;
}

function versionOf(value: JsonValue): number | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value.v;
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 1 ? v : undefined;
}

function schemaError(kind: RecordKind<unknown>, key: string, version: number | undefined, problem: string): GameError {
  const shown = problem.replaceAll("\n", " ");
  return new GameError("GAME_SCHEMA", `The ${kind.name} at ${quote(key)} fails its schema: ${shown}. Fix or delete the record (audit() lists every such record).`, {
    key,
    version,
  });
}
