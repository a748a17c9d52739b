import { isDeepStrictEqual } from "node:util";
import type { BatchOp, JsonValue, Store } from "@store/log";
import { check } from "./scenario.js";

/** Key -> value: what a store holds. */
export type State = Map<string, JsonValue>;

/** One write submitted to the store (and given a seq), as the model sees it. */
export interface IssuedWrite {
  readonly seq: number;
  readonly ops: readonly BatchOp[];
}

export function applyWrite(state: State, write: IssuedWrite): void {
  for (const op of write.ops) {
    if (op.type === "set") state.set(op.key, op.value);
    else state.delete(op.key);
  }
}

/** The state after every issued write with seq <= `seq`, on top of `initial`. */
export function stateAt(initial: State, issued: readonly IssuedWrite[], seq: number): State {
  const state = new Map(initial);
  for (const write of [...issued].sort((a, b) => a.seq - b.seq)) if (write.seq <= seq) applyWrite(state, write);
  return state;
}

export function stateOf(store: Store): State {
  return new Map(store.scan());
}

export function sameState(a: State, b: State): boolean {
  return isDeepStrictEqual(sorted(a), sorted(b));
}

/** The first key where two states differ, for a failure message. */
export function firstDifference(expected: State, found: State): string {
  for (const key of new Set([...expected.keys(), ...found.keys()])) {
    if (!isDeepStrictEqual(expected.get(key), found.get(key))) {
      return `key ${JSON.stringify(key)}: expected ${show(expected.get(key))}, found ${show(found.get(key))}`;
    }
  }
  return "no difference";
}

function sorted(state: State): Array<[string, JsonValue]> {
  return [...state].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function show(value: JsonValue | undefined): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export interface History {
  /** The state and seq before the first issued write. */
  readonly initial: State;
  readonly initialSeq: number;
  readonly issued: readonly IssuedWrite[];
  readonly acknowledged: ReadonlySet<number>;
}

/**
 * acknowledged ⊆ recovered ⊆ issued, exactly: the recovered state is the state after some prefix
 * (in seq order) of the issued writes, and that prefix holds every acknowledged write. This rules
 * out a lost acknowledged write, a batch applied by halves and an invented value at once.
 */
export function checkRecovered(recovered: State, recoveredSeq: number, history: History): void {
  const acknowledgedMax = Math.max(history.initialSeq, ...history.acknowledged);
  const issuedMax = Math.max(history.initialSeq, ...history.issued.map((write) => write.seq));
  check(recoveredSeq >= acknowledgedMax, `an acknowledged write was lost: recovered seq ${recoveredSeq}, but seq ${acknowledgedMax} was acknowledged`);
  check(recoveredSeq <= issuedMax, `recovered seq ${recoveredSeq} was never issued (highest issued ${issuedMax})`);
  const expected = stateAt(history.initial, history.issued, recoveredSeq);
  check(sameState(expected, recovered), () => `recovered state at seq ${recoveredSeq} is not the state after the issued writes up to it: ${firstDifference(expected, recovered)}`);
}

/** The economy invariant: accounts hold exactly `total` between them and none is negative. */
export function checkEconomy(state: State, prefix: string, total: number): void {
  let sum = 0;
  let accounts = 0;
  for (const [key, value] of state) {
    if (!key.startsWith(prefix)) continue;
    check(typeof value === "number" && value >= 0, `account ${key} holds ${JSON.stringify(value)}, not a non-negative number`);
    sum += value;
    accounts += 1;
  }
  check(accounts === 0 || sum === total, `the ${accounts} accounts hold ${sum} between them, not ${total}`);
}
