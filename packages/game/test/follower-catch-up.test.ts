import { StoreError } from "@store/fs";
import { createMemoryStore, type ChangeListener, type JsonValue, type KeyValueStore, type SubscribeOptions } from "@store/kv";
import { describe, expect, it } from "vitest";
import { Follower } from "../src/follower.js";

/** A memory store whose subscriptions the test ends (as a restarted server does) and whose scans it can hold. */
class Backend {
  readonly memory = createMemoryStore();
  readonly #onErrors: Array<((error: StoreError) => void) | undefined> = [];
  /** While set, each scan waits for its own release (in the order the scans came). */
  holdScans = false;
  readonly #held: Array<() => void> = [];

  readonly kv: KeyValueStore = {
    get: (key) => this.memory.get(key),
    getMany: (keys) => this.memory.getMany(keys),
    batch: (ops) => this.memory.batch(ops),
    stats: () => this.memory.stats(),
    close: () => this.memory.close(),
    scan: async (options) => {
      if (this.holdScans) await new Promise<void>((resolve) => this.#held.push(resolve));
      return this.memory.scan(options);
    },
    subscribe: async (listener: ChangeListener, options?: SubscribeOptions) => {
      const subscription = await this.memory.subscribe(listener, options);
      this.#onErrors.push(options?.onError);
      return subscription;
    },
  };

  /** Ends the newest subscription the way a server that lost its history does. */
  endNewestSubscription(): void {
    this.#onErrors.at(-1)?.(new StoreError("STORE_HISTORY_GONE", "the restarted server keeps no history from before its start"));
  }

  get heldScans(): number {
    return this.#held.length;
  }

  releaseOldestScan(): void {
    this.#held.shift()?.();
  }
}

/** Every microtask of the memory store (no I/O, no timers) has run by the next macrotask. */
function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe("Follower.catchUp", () => {
  it("a catchUp() waiting for a rebuild that a newer rebuild superseded waits for the newer one, not for empty views", async () => {
    const backend = new Backend();
    await backend.memory.batch([{ type: "set", key: "p/1", value: 1 }]);
    const view = new Map<string, JsonValue>();
    const handler = {
      prefix: "p/",
      apply: (key: string, value: JsonValue | undefined): void => {
        if (value === undefined) view.delete(key);
        else view.set(key, value);
      },
      reset: (): void => {
        view.clear();
      },
    };
    const follower = await Follower.start(backend.kv, [handler], { pageSize: 10, onError: () => undefined });
    expect([...view.keys()]).toEqual(["p/1"]);

    backend.holdScans = true;
    backend.endNewestSubscription(); // rebuild A: views reset, its scan held
    await settleMicrotasks();
    expect(backend.heldScans).toBe(1);
    let seenAtCatchUp: string[] | undefined;
    const caughtUp = follower.catchUp().then(() => {
      seenAtCatchUp = [...view.keys()];
    });
    backend.endNewestSubscription(); // rebuild B supersedes A: views reset again, its scan held
    await settleMicrotasks();
    expect(backend.heldScans).toBe(2);

    backend.releaseOldestScan(); // A's scan returns; A gives up (superseded)
    await settleMicrotasks();
    expect(seenAtCatchUp).toBeUndefined(); // B is still scanning: the views are not exact yet

    backend.releaseOldestScan();
    await caughtUp;
    expect(seenAtCatchUp).toEqual(["p/1"]);
    await follower.close();
  });
});
