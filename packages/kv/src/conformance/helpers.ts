import { inspect } from "node:util";
import { expect } from "vitest";
import type { ChangeEvent, KeyValueStats, KeyValueStore } from "../types.js";

/** What every group of conformance tests gets: how to open a fresh store, and the suite's options. */
export interface SuiteContext {
  readonly open: () => Promise<KeyValueStore>;
  readonly openWithChangeHistoryMax: ((changeHistoryMax: number) => Promise<KeyValueStore>) | undefined;
  readonly propertyRuns: number;
}

/** Opens a fresh store, runs `body`, and closes the store whatever happened. */
export async function withStore<T>(context: SuiteContext, body: (kv: KeyValueStore) => Promise<T>): Promise<T> {
  const kv = await context.open();
  try {
    return await body(kv);
  } finally {
    await kv.close();
  }
}

/**
 * Calls `call` and returns what its promise rejected with. Fails if it throws synchronously (every
 * method must reject instead) or resolves.
 */
export async function rejection(call: () => Promise<unknown>): Promise<{ code?: unknown; name?: unknown; key?: unknown; message?: unknown }> {
  let promise: Promise<unknown> | undefined;
  expect(() => {
    promise = call();
  }, "the call must return a rejected promise, not throw").not.toThrow();
  const outcome = await promise!.then(
    (value: unknown) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) expect.fail(`expected a rejection, but it resolved with ${inspect(outcome.value, { depth: 2 })}`);
  expect(outcome.error).toBeTypeOf("object");
  return outcome.error as { code?: unknown; name?: unknown };
}

/** Errors are told apart by `code` (StoreError) or `name` (TypeError), never by `instanceof`. */
export async function expectCode(call: () => Promise<unknown>, code: string): Promise<{ key?: unknown; message?: unknown }> {
  const error = await rejection(call);
  if (code === "TypeError") expect(error.name, String(error.message)).toBe("TypeError");
  else expect(error.code, String(error.message)).toBe(code);
  return error;
}

export async function statsOf(kv: KeyValueStore): Promise<Pick<KeyValueStats, "seq" | "keys">> {
  const { seq, keys } = await kv.stats();
  return { seq, keys };
}

/** Records a subscription's events and lets a test wait, without any timer, until a seq arrives. */
export class EventLog {
  readonly events: ChangeEvent[] = [];
  readonly #waiters: Array<{ seq: number; resolve: () => void }> = [];

  readonly listener = (event: ChangeEvent): void => {
    this.events.push(event);
    for (const waiter of [...this.#waiters]) {
      if (event.seq >= waiter.seq) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  /** Resolves once an event with a seq at or above `seq` was delivered (the test times out otherwise). */
  waitFor(seq: number): Promise<void> {
    if (this.events.some((event) => event.seq >= seq)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ seq, resolve }));
  }

  seqs(): number[] {
    return this.events.map((event) => event.seq);
  }
}

/** Lets a few turns of the event loop pass (not a wait for time: a chance for a wrong delivery to show). */
export async function settle(turns = 5): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Catches what is thrown asynchronously (a listener's error rethrown by the store) instead of letting
 * the test runner report it as an unhandled error. Always call `restore()`.
 */
export function captureUncaught(): { readonly errors: unknown[]; waitForCount: (count: number) => Promise<void>; restore: () => void } {
  const saved = process.listeners("uncaughtException");
  const errors: unknown[] = [];
  let wake: (() => void) | undefined;
  const handler = (error: unknown): void => {
    errors.push(error);
    wake?.();
  };
  process.removeAllListeners("uncaughtException");
  process.on("uncaughtException", handler);
  return {
    errors,
    waitForCount: async (count) => {
      while (errors.length < count) await new Promise<void>((resolve) => (wake = resolve));
    },
    restore: () => {
      process.off("uncaughtException", handler);
      for (const listener of saved) process.on("uncaughtException", listener);
    },
  };
}

/** `count` distinct valid keys under `prefix`, zero-padded so that key order is numeric order. */
export function numberedKeys(prefix: string, count: number): string[] {
  const width = String(count - 1).length;
  return Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(width, "0")}`);
}

/** Sets every key to `{ n: index }` in batches of 1,000, returning the last seq. */
export async function fill(kv: KeyValueStore, keys: readonly string[]): Promise<number> {
  let seq = 0;
  for (let start = 0; start < keys.length; start += 1000) {
    const ops = keys.slice(start, start + 1000).map((key, offset) => ({ type: "set" as const, key, value: { n: start + offset } }));
    ({ seq } = await kv.batch(ops));
  }
  return seq;
}
