import type { ChangeOp } from "./change-event.js";
import { deepFreeze, type JsonValue } from "./json-value.js";

// A value that a store holds as JSON text (the log's records) is parsed only when someone reads
// it, and its text is remembered, so whoever sends it on as JSON (a socket server) copies the text
// instead of serializing the parsed value again. A server relays every change to every subscriber
// and most of them never look at most values: parsing and re-serializing them was a tenth of a
// busy store server's CPU. Keyed weakly by the frozen value or op the text belongs to.

/** Texts of frozen values parsed by `parseFrozenJson`, and of set ops made by `lazySetOp`. */
const texts = new WeakMap<object, string>();

/**
 * Parses JSON text the caller knows is valid (it made or checked it) into a deep-frozen value and
 * remembers the text, which `jsonTextOf` then gives back for that value.
 */
export function parseFrozenJson(text: string): JsonValue {
  const value = deepFreeze(JSON.parse(text) as JsonValue);
  if (typeof value === "object" && value !== null) texts.set(value, text);
  return value;
}

/**
 * The JSON text a value was parsed from by `parseFrozenJson`, or the text of the value of a set op
 * made by `lazySetOp`; undefined for anything else (serialize it yourself). The text is valid
 * JSON for that value, not necessarily `JSON.stringify`'s spelling of it.
 */
export function jsonTextOf(valueOrOp: object): string | undefined {
  return texts.get(valueOrOp);
}

/**
 * A set op whose value is `text` (valid JSON: the caller made or checked it), parsed and
 * deep-frozen on first read, the same object on every read; `jsonTextOf(op)` is the text.
 */
export function lazySetOp(key: string, text: string): ChangeOp {
  let parsed = false;
  let value: JsonValue = null;
  const op: ChangeOp = {
    type: "set",
    key,
    get value(): JsonValue {
      if (!parsed) {
        value = parseFrozenJson(text);
        parsed = true;
      }
      return value;
    },
  };
  texts.set(op, text);
  return op;
}
