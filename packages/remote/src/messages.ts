import type { JsonValue } from "@store/fs";
import type { ChangeOp, Entry, ValidatedBatch, ValidatedScan } from "@store/kv";
import { remoteError, type WireError } from "./errors.js";

// Every message is one JSON object with a type `t`. docs/remote-protocol.md lists them with examples.
// Requests carry an `id` the client picks, strictly increasing on a connection; the answer to a
// request carries it back. Both ends check what they receive before they act on it: a message that
// does not parse is a protocol error, which ends the connection.

export interface Hello {
  readonly t: "hello";
  readonly protocol: string;
  readonly versions: readonly number[];
  readonly frameBytesMax: number;
  readonly clientId: string;
  readonly pid: number | undefined;
  readonly name: string | undefined;
}

export type Request =
  | { readonly t: "get"; readonly id: number; readonly key: unknown }
  /** `turn` (version 3): take a turn on the keys first (`{ shared?: keys }`); undefined: a plain read. */
  | { readonly t: "getMany"; readonly id: number; readonly keys: unknown; readonly turn: TurnRequest | undefined }
  | { readonly t: "scan"; readonly id: number; readonly options: unknown }
  /** `turn` (version 3): the id of the turn this batch ends, if any. */
  | { readonly t: "batch"; readonly id: number; readonly ops: unknown; readonly turn: number | undefined }
  | { readonly t: "stats"; readonly id: number }
  | { readonly t: "sub"; readonly id: number; readonly afterSeq: unknown; readonly prefixes: unknown }
  | { readonly t: "unsub"; readonly id: number; readonly sub: number }
  /** Version 3: answered once the server sent the subscription's events up to the store's seq. */
  | { readonly t: "caughtUp"; readonly id: number; readonly sub: number }
  /** Version 3: gives turn `turn` back without writing. */
  | { readonly t: "release"; readonly id: number; readonly turn: number };

export interface TurnRequest {
  /** Keys only read, held shared (unchecked: the server's turns check them). */
  readonly shared: unknown;
}

export interface Notice {
  readonly code: string;
  readonly message: string;
}

export type ServerMessage =
  /** `turnsMax` (version 3): turns a connection may hold or wait for at once; 0 when the server gives none. */
  | { readonly t: "welcome"; readonly version: number; readonly frameBytesMax: number; readonly serverId: string; readonly notice: Notice | undefined; readonly turnsMax: number }
  | { readonly t: "refuse"; readonly code: string; readonly message: string }
  /** `turn` (version 3): the id of the turn a `getMany` with `turn` was granted; undefined: read without one. */
  | { readonly t: "ok"; readonly id: number; readonly result: unknown; readonly turn: number | undefined }
  | { readonly t: "part"; readonly id: number; readonly items: unknown[] }
  | { readonly t: "err"; readonly id: number; readonly error: unknown }
  | { readonly t: "ev"; readonly sub: number; readonly seq: number; readonly ops: readonly ChangeOp[] }
  | { readonly t: "end"; readonly sub: number; readonly error: unknown }
  | { readonly t: "bye"; readonly code: string; readonly message: string; readonly lastId: number };

const REQUEST_TYPES = new Set(["get", "getMany", "scan", "batch", "stats", "sub", "unsub", "release", "caughtUp"]);

function parseObject(payload: Buffer, from: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString("utf8"));
  } catch (error) {
    throw remoteError("STORE_PROTOCOL", `A frame from the ${from} is not JSON (${(error as Error).message}); its first bytes: ${JSON.stringify(payload.subarray(0, 40).toString("latin1"))}.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw remoteError("STORE_PROTOCOL", `A frame from the ${from} is ${Array.isArray(value) ? "an array" : `the JSON ${typeof value}`}, not a message object with a type "t".`);
  }
  return value as Record<string, unknown>;
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
}

function isSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** The first frame a server accepts. Throws `STORE_PROTOCOL` for anything that is not a well-formed hello. */
export function parseHello(payload: Buffer): Hello {
  const message = parseObject(payload, "client");
  const { t, protocol, versions, frameBytesMax, clientId, pid, name } = message;
  if (t !== "hello" || typeof protocol !== "string") {
    throw remoteError("STORE_PROTOCOL", `The first frame must be a store-remote hello; got a message of type ${JSON.stringify(t)}.`);
  }
  if (!Array.isArray(versions) || versions.length === 0 || versions.length > 64 || !versions.every(isId)) {
    throw remoteError("STORE_PROTOCOL", "The hello must list the protocol versions the client speaks (integers from 1).");
  }
  if (!isId(frameBytesMax) || typeof clientId !== "string" || clientId.length === 0 || clientId.length > 100) {
    throw remoteError("STORE_PROTOCOL", "The hello must give frameBytesMax (bytes) and a clientId (1 to 100 characters).");
  }
  return {
    t,
    protocol,
    versions,
    frameBytesMax,
    clientId,
    pid: isId(pid) ? pid : undefined,
    name: typeof name === "string" ? name.slice(0, 100) : undefined,
  };
}

/** A request after the hello. Throws `STORE_PROTOCOL` for an unknown type or a missing id. Arguments are the store's to check. */
export function parseRequest(payload: Buffer): Request {
  const message = parseObject(payload, "client");
  const { t, id } = message;
  if (typeof t !== "string" || !REQUEST_TYPES.has(t)) throw remoteError("STORE_PROTOCOL", `Unknown request type ${JSON.stringify(t)}; expected one of ${[...REQUEST_TYPES].join(", ")}.`);
  if (!isId(id)) throw remoteError("STORE_PROTOCOL", `A ${t} request needs an id (an integer from 1), got ${JSON.stringify(id)}.`);
  switch (t) {
    case "get":
      return { t, id, key: message.key };
    case "getMany":
      return { t, id, keys: message.keys, turn: parseTurnRequest(message.turn) };
    case "scan":
      return { t, id, options: message.options };
    case "batch":
      if (message.turn !== undefined && !isId(message.turn)) throw remoteError("STORE_PROTOCOL", `A batch's turn must be the id of a turn (an integer from 1), got ${JSON.stringify(message.turn)}.`);
      return { t, id, ops: message.ops, turn: message.turn };
    case "release":
      if (!isId(message.turn)) throw remoteError("STORE_PROTOCOL", `A release request needs the id of the turn, got ${JSON.stringify(message.turn)}.`);
      return { t, id, turn: message.turn };
    case "stats":
      return { t, id };
    case "sub":
      return { t, id, afterSeq: message.afterSeq, prefixes: message.prefixes };
    default: {
      if (!isId(message.sub)) throw remoteError("STORE_PROTOCOL", `An ${t} request needs the id of the subscription, got ${JSON.stringify(message.sub)}.`);
      return { t: t === "caughtUp" ? "caughtUp" : "unsub", id, sub: message.sub };
    }
  }
}

function parseTurnRequest(turn: unknown): TurnRequest | undefined {
  if (turn === undefined) return undefined;
  if (typeof turn !== "object" || turn === null || Array.isArray(turn)) throw remoteError("STORE_PROTOCOL", `A getMany's turn must be an object ({} or { "shared": keys }), got ${JSON.stringify(turn).slice(0, 80)}.`);
  return { shared: (turn as { shared?: unknown }).shared };
}

/**
 * A message from the server, in protocol `version` (1 until the welcome chose one). Throws
 * `STORE_PROTOCOL` for anything malformed. An event's ops come out as `ChangeOp`s.
 */
export function parseServerMessage(payload: Buffer, version = 1): ServerMessage {
  const message = parseObject(payload, "server");
  const { t } = message;
  const bad = (what: string): never => {
    throw remoteError("STORE_PROTOCOL", `The server sent a malformed ${String(t)} message: ${what}.`);
  };
  switch (t) {
    case "welcome": {
      const { version, frameBytesMax, serverId, notice, turnsMax } = message;
      if (!isId(version) || !isId(frameBytesMax) || typeof serverId !== "string") return bad("version, frameBytesMax or serverId missing");
      return { t, version, frameBytesMax, serverId, notice: parseNotice(notice), turnsMax: isSeq(turnsMax) ? turnsMax : 0 };
    }
    case "refuse":
    case "bye": {
      const { code, message: text, lastId } = message;
      if (typeof code !== "string" || typeof text !== "string") return bad("code or message missing");
      return t === "refuse" ? { t, code, message: text } : { t, code, message: text, lastId: isSeq(lastId) ? lastId : 0 };
    }
    case "ok":
    case "err":
    case "part": {
      const { id } = message;
      if (!isId(id)) return bad("no request id");
      if (t === "ok") {
        if (message.turn !== undefined && !isId(message.turn)) return bad("turn is not a turn id");
        return { t, id, result: message.result, turn: message.turn };
      }
      if (t === "err") return { t, id, error: message.error };
      if (!Array.isArray(message.items)) return bad("items is not an array");
      return { t, id, items: message.items };
    }
    case "ev": {
      const { sub, seq, ops } = message;
      if (!isId(sub) || !isId(seq) || !Array.isArray(ops)) return bad("sub, seq or ops missing");
      return { t, sub, seq, ops: version >= 2 ? decodeOps(ops) : (ops as ChangeOp[]) };
    }
    case "end": {
      const { sub } = message;
      if (!isId(sub)) return bad("no subscription id");
      return { t, sub, error: message.error };
    }
    default:
      return bad(`unknown type ${JSON.stringify(t)}`);
  }
}

/**
 * Version 2 event ops (`["s", key, "<JSON text>"]`, `["d", key]`) as `ChangeOp`s whose value is
 * parsed on first read: a shard's listener that skips most keys (the game follows players/ and
 * games/) parses only what it reads. Each event's ops belong to one subscription's listener, so the
 * parsed value is that listener's own copy.
 */
function decodeOps(ops: unknown[]): ChangeOp[] {
  const decoded: ChangeOp[] = [];
  for (const op of ops) {
    if (!Array.isArray(op) || typeof op[1] !== "string") throw remoteError("STORE_PROTOCOL", `The server sent an event op that is not ["s", key, text] or ["d", key]: ${JSON.stringify(op).slice(0, 80)}.`);
    if (op[0] === "d" && op.length === 2) decoded.push({ type: "delete", key: op[1] });
    else if (op[0] === "s" && op.length === 3 && typeof op[2] === "string") decoded.push(lazySet(op[1], op[2]));
    else throw remoteError("STORE_PROTOCOL", `The server sent an event op that is not ["s", key, text] or ["d", key]: ${JSON.stringify(op).slice(0, 80)}.`);
  }
  return decoded;
}

function lazySet(key: string, text: string): ChangeOp {
  let parsed = false;
  let value: JsonValue = null;
  return {
    type: "set",
    key,
    get value(): JsonValue {
      if (!parsed) {
        value = parseValue(key, text);
        parsed = true;
      }
      return value;
    },
  };
}

function parseValue(key: string, text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw remoteError("STORE_PROTOCOL", `The server sent a change of ${JSON.stringify(key).slice(0, 80)} whose value is not JSON (${(error as Error).message}).`);
  }
}

function parseNotice(notice: unknown): Notice | undefined {
  if (typeof notice !== "object" || notice === null) return undefined;
  const { code, message } = notice as Record<string, unknown>;
  return typeof code === "string" && typeof message === "string" ? { code, message } : undefined;
}

// Client → server. Values are written from the JSON text `validateWriteOps` made when the call was
// made, so the frame holds the values as they were then (a later change to the caller's object
// changes nothing), and no value is serialized twice.

export function encodeHello(hello: Omit<Hello, "t">): string {
  return JSON.stringify({ t: "hello", ...hello });
}

export function encodeGet(id: number, key: string): string {
  return `{"t":"get","id":${id},"key":${JSON.stringify(key)}}`;
}

/** With `turn` (version 3 only): wait for a turn on the keys first, `shared` held shared. */
export function encodeGetMany(id: number, keys: readonly string[], turn?: { readonly shared: readonly string[] }): string {
  const asked = turn === undefined ? "" : turn.shared.length === 0 ? `,"turn":{}` : `,"turn":{"shared":${JSON.stringify(turn.shared)}}`;
  return `{"t":"getMany","id":${id},"keys":${JSON.stringify(keys)}${asked}}`;
}

export function encodeRelease(id: number, turn: number): string {
  return `{"t":"release","id":${id},"turn":${turn}}`;
}

export function encodeScan(id: number, scan: ValidatedScan): string {
  return JSON.stringify({ t: "scan", id, options: scan });
}

/** With `turn` (version 3 only): the batch ends that turn once the server has it in flight. */
export function encodeBatch(id: number, batch: ValidatedBatch, turn?: number): string {
  const conditions = new Map(batch.preconditions.map(({ key, ifVersion }) => [key, ifVersion]));
  const ops: string[] = [];
  for (const write of batch.writes) {
    const ifVersion = conditions.get(write.key);
    conditions.delete(write.key);
    const condition = ifVersion === undefined ? "" : `,"ifVersion":${JSON.stringify(ifVersion)}`;
    const key = JSON.stringify(write.key);
    ops.push(write.type === "set" ? `{"type":"set","key":${key},"value":${write.json}${condition}}` : `{"type":"delete","key":${key}${condition}}`);
  }
  // What is left are the checks: preconditions on keys the batch does not write.
  for (const [key, ifVersion] of conditions) ops.push(`{"type":"check","key":${JSON.stringify(key)},"ifVersion":${JSON.stringify(ifVersion)}}`);
  return `{"t":"batch","id":${id},"ops":[${ops.join(",")}]${turn === undefined ? "" : `,"turn":${turn}`}}`;
}

export function encodeStats(id: number): string {
  return `{"t":"stats","id":${id}}`;
}

/** `prefixes` only in protocol version 3 (an older server would refuse the unknown property through the store's checks). */
export function encodeSubscribe(id: number, afterSeq: number | undefined, prefixes: readonly string[] | undefined): string {
  const from = afterSeq === undefined ? "" : `,"afterSeq":${afterSeq}`;
  const only = prefixes === undefined ? "" : `,"prefixes":${JSON.stringify(prefixes)}`;
  return `{"t":"sub","id":${id}${from}${only}}`;
}

/** Version 3: answered with `{ seq }` once the server has sent the subscription's events up to the store's seq. */
export function encodeCaughtUp(id: number, sub: number): string {
  return `{"t":"caughtUp","id":${id},"sub":${sub}}`;
}

export function encodeUnsubscribe(id: number, sub: number): string {
  return `{"t":"unsub","id":${id},"sub":${sub}}`;
}

// Server → client.

/** `turnsMax` is said from version 3 on. */
export function encodeWelcome(version: number, frameBytesMax: number, serverId: string, notice: Notice | undefined, turnsMax: number): string {
  return JSON.stringify({ t: "welcome", version, frameBytesMax, serverId, ...(notice === undefined ? {} : { notice }), ...(version >= 3 ? { turnsMax } : {}) });
}

export function encodeRefuse(code: string, message: string): string {
  return JSON.stringify({ t: "refuse", code, message });
}

export function encodeBye(code: string, message: string, lastId: number): string {
  return JSON.stringify({ t: "bye", code, message, lastId });
}

/** `result` is JSON text already. `turn`: the turn granted to a getMany with `turn`. */
export function encodeOk(id: number, result: string, turn?: number): string {
  return turn === undefined ? `{"t":"ok","id":${id},"result":${result}}` : `{"t":"ok","id":${id},"result":${result},"turn":${turn}}`;
}

/** `items` are JSON texts already. */
export function encodePart(id: number, items: readonly string[]): string {
  return `{"t":"part","id":${id},"items":[${items.join(",")}]}`;
}

export function encodeError(id: number, error: WireError): string {
  return JSON.stringify({ t: "err", id, error });
}

/**
 * An event is `{"t":"ev","sub":<id>,"seq":<seq>,"ops":<ops>}`, written as this head (ASCII), the
 * ops' JSON (made once per event, shared by every subscriber: `JsonCache.eventOps`) and `}`
 * (`FrameWriter.writeEvent`).
 */
export function eventHead(sub: number, seq: number): string {
  return `{"t":"ev","sub":${sub},"seq":${seq},"ops":`;
}

export function encodeEnd(sub: number, error: WireError): string {
  return JSON.stringify({ t: "end", sub, error });
}

/** The inverse of `JsonCache.entry` (`[key, version, value]`, or `null` for a missing key); throws `STORE_PROTOCOL` for anything else. */
export function decodeEntry(item: unknown): Entry | undefined {
  if (item === null) return undefined;
  if (!Array.isArray(item) || item.length !== 3 || typeof item[0] !== "string" || !isId(item[1])) {
    throw remoteError("STORE_PROTOCOL", `The server sent an entry that is not [key, version, value]: ${JSON.stringify(item).slice(0, 80)}.`);
  }
  return { key: item[0], value: item[2] as Entry["value"], version: item[1] };
}
