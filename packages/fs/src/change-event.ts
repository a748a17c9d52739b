import type { JsonValue } from "./json-value.js";

// The one declaration of what a subscriber is told about a committed write. Every package that
// produces or consumes change events (the log's store, the @store/kv contract and its backends, the
// snapshot mirror) imports it from here, so a field added to one cannot drift from the others.
// It lives in @store/fs, beside JsonValue, because that is the one package all of them depend on:
// the mirror and the scheduler know their targets only structurally and do not import @store/kv.

/** One key a committed write set or deleted. `V` is the value type of a typed store (`Store<V>`). */
export type ChangeOp<V = JsonValue> = { readonly type: "set"; readonly key: string; readonly value: V } | { readonly type: "delete"; readonly key: string };

/** One committed write, as subscribers see it: its seq and every key it set or deleted. */
export interface ChangeEvent<V = JsonValue> {
  readonly seq: number;
  readonly ops: readonly ChangeOp<V>[];
}

export type ChangeListener<V = JsonValue> = (event: ChangeEvent<V>) => void;
