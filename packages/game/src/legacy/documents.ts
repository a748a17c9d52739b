import { truncation } from "./truncation.js";

/** The three files of the old design, by their usual names. */
export type LegacyFile = "players" | "tokens" | "gameStates";

/**
 * One legacy document: the file's text (a string or bytes, parsed here, so a truncated file is
 * reported with where the JSON broke), or the value already parsed; undefined for a file you do not
 * have.
 */
export type LegacySource = string | Uint8Array | Record<string, unknown> | unknown[] | undefined;

export interface LegacyProblem {
  readonly file: LegacyFile;
  /** Where in the file: `["123"]` for an object's entry, `[4]` for an array's, `(document)` for the whole file. */
  readonly where: string;
  /** The record's id when known. */
  readonly id: string | null;
  readonly why: string;
}

export interface LegacyRecord {
  readonly file: LegacyFile;
  readonly where: string;
  /** The id the record is filed under (its object key, or its `id` field in an array). */
  readonly id: string;
  readonly value: unknown;
}

/** Fields that name a record's id in array documents, tried in order. */
const ID_FIELDS: Record<LegacyFile, readonly string[]> = {
  players: ["id", "userId", "user_id"],
  tokens: ["id", "userId", "user_id"],
  gameStates: ["id", "gameId", "game_id"],
};

/**
 * The records of one loaded document: an object keyed by id, or an array of records that carry their id.
 * In an object, an `id` field that disagrees with the key is a problem (which one is right?).
 */
export function recordsOf(file: LegacyFile, document: unknown, problems: LegacyProblem[]): LegacyRecord[] {
  if (document === undefined) return [];
  if (Array.isArray(document)) return fromArray(file, document, problems);
  if (typeof document === "object" && document !== null) return fromObject(file, document as Record<string, unknown>, problems);
  problems.push({ file, where: "(document)", id: null, why: `the document must be an object keyed by id or an array of records with an id, got ${describe(document)}` });
  return [];
}

/** The document's value: parsed from text or bytes (a parse failure is a problem), or as given. */
export function loadDocument(file: LegacyFile, source: LegacySource, problems: LegacyProblem[]): unknown {
  if (typeof source !== "string" && !(source instanceof Uint8Array)) return source;
  const text = typeof source === "string" ? source : new TextDecoder("utf-8", { fatal: false }).decode(source);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const cut = truncation(text);
    const truncated = cut === undefined ? "" : ` (the file looks truncated: ${cut})`;
    problems.push({ file, where: "(document)", id: null, why: `not valid JSON${truncated}: ${reason} (${text.length} characters read)` });
    return undefined;
  }
}

function fromArray(file: LegacyFile, document: unknown[], problems: LegacyProblem[]): LegacyRecord[] {
  const records: LegacyRecord[] = [];
  for (const [index, value] of document.entries()) {
    const where = `[${index}]`;
    const id = isObject(value) ? ID_FIELDS[file].map((field) => value[field]).find((candidate) => candidate !== undefined) : undefined;
    if (typeof id === "string" || (typeof id === "number" && Number.isSafeInteger(id))) records.push({ file, where, id: String(id), value });
    else problems.push({ file, where, id: null, why: `an array's records must carry their id (${ID_FIELDS[file].join(" or ")}), got ${describe(value)}` });
  }
  return records;
}

function fromObject(file: LegacyFile, document: Record<string, unknown>, problems: LegacyProblem[]): LegacyRecord[] {
  const records: LegacyRecord[] = [];
  for (const [id, value] of Object.entries(document)) {
    const where = `[${JSON.stringify(id)}]`;
    const own = isObject(value) ? value.id : undefined;
    const ownId = typeof own === "number" ? String(own) : own;
    if (ownId !== undefined && ownId !== id) {
      problems.push({ file, where, id, why: `the record's id ${JSON.stringify(own)} differs from the key it is filed under` });
      continue;
    }
    records.push({ file, where, id, value });
  }
  return records;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return `${typeof value} ${value.toString()}`;
  return typeof value;
}
