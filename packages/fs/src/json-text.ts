import type { ChangeOp } from "./change-event.js";
import { deepFreeze, type JsonValue } from "./json-value.js";

// A value that a store holds as JSON text (the log's records) is parsed only when someone reads
// it, and its text is remembered, so whoever sends it on as JSON (a socket server) copies the text
// instead of serializing the parsed value again. A server relays every change to every subscriber
// and most of them never look at most values: parsing and re-serializing them was a tenth of a
// busy store server's CPU. Keyed weakly by the frozen value or op the text belongs to.

/** Texts of frozen values parsed by `parseFrozenJson`, and of the values of holders made by `withLazyValue`. */
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
 * made by `lazySetOp` or of another holder made by `withLazyValue`; undefined for anything else
 * (serialize it yourself). The text is valid
 * JSON for that value, not necessarily `JSON.stringify`'s spelling of it.
 */
export function jsonTextOf(valueOrOp: object): string | undefined {
  return texts.get(valueOrOp);
}

/**
 * `fields` with a `value` (enumerable, like a data property) that `read` makes on first access, the
 * same object after that; `jsonTextOf` of the result is `text`, the value's JSON. For a store's
 * reads and events: whoever only sends the value on as JSON never makes it.
 */
export function withLazyValue<T extends object>(fields: T, text: string, read: () => JsonValue): T & { readonly value: JsonValue } {
  let parsed = false;
  let value: JsonValue = null;
  const holder = Object.defineProperty(fields, "value", {
    get(): JsonValue {
      if (!parsed) {
        value = read();
        parsed = true;
      }
      return value;
    },
    enumerable: true,
    configurable: true,
  }) as T & { readonly value: JsonValue };
  texts.set(holder, text);
  return holder;
}

/**
 * A set op whose value is `text` (valid JSON: the caller made or checked it), parsed and
 * deep-frozen on first read, the same object on every read; `jsonTextOf(op)` is the text.
 */
export function lazySetOp(key: string, text: string): ChangeOp {
  return withLazyValue({ type: "set" as const, key }, text, () => parseFrozenJson(text));
}
