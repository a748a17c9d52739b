import { StoreError } from "@store/fs";
import { createMemoryStore, type ChangeListener, type JsonValue, type KeyValueStore, type SubscribeOptions, type Subscription } from "@store/kv";
import { describe, expect, it } from "vitest";
import { createGame, type Game } from "../src/index.js";
import { Clock } from "./helpers.js";

// What a socket client (@store/remote) does when its server dies: calls reject STORE_UNAVAILABLE
// until it is connected again (whenConnected() says when), and a subscription the restarted server
// cannot resume (its change history died with it) ends with STORE_HISTORY_GONE. Here the server
// "dies" a second time while the game is rebuilding its leaderboard from a new scan.

class FlakyBackend {
  readonly memory = createMemoryStore();
  #down = false;
  #connected: Array<() => void> = [];
  readonly #subscriptions: Array<{ subscription: Subscription; onError: ((error: StoreError) => void) | undefined }> = [];
  /** The next scan finds the server gone (it dies while the follower rebuilds). */
  dieOnNextScan = false;

  readonly kv: KeyValueStore & { whenConnected(): Promise<void> } = {
    get: (key) => this.#call(() => this.memory.get(key)),
    getMany: (keys) => this.#call(() => this.memory.getMany(keys)),
    batch: (ops) => this.#call(() => this.memory.batch(ops)),
    stats: () => this.#call(() => this.memory.stats()),
    close: () => this.memory.close(),
    scan: (options) => {
      if (this.dieOnNextScan) {
        this.dieOnNextScan = false;
        this.#down = true;
      }
      return this.#call(() => this.memory.scan(options));
    },
    subscribe: (listener: ChangeListener, options?: SubscribeOptions) =>
      this.#call(async () => {
        const subscription = await this.memory.subscribe(listener, options);
        this.#subscriptions.push({ subscription, onError: options?.onError });
        return subscription;
      }),
    whenConnected: () => (this.#down ? new Promise<void>((resolve) => this.#connected.push(resolve)) : Promise.resolve()),
  };

  kill(): void {
    this.#down = true;
  }

  /** A server is back; the subscriptions made before cannot resume there. */
  async restart(): Promise<void> {
    this.#down = false;
    for (const { subscription, onError } of this.#subscriptions.splice(0)) {
      await subscription.close();
      onError?.(new StoreError("STORE_HISTORY_GONE", "the restarted server keeps no history from before its start"));
    }
    for (const resolve of this.#connected.splice(0)) resolve();
  }

  #call<T>(run: () => Promise<T>): Promise<T> {
    return this.#down ? Promise.reject(new StoreError("STORE_UNAVAILABLE", "not connected; reconnecting")) : run();
  }
}

function playerValue(id: string, score: number): JsonValue {
  return { v: 2, id, name: `name-${id}`, createdAtMs: 0, stats: { games: 0, wins: 0, losses: 0, draws: 0, score, streak: 0, bestStreak: 0, byType: {} } };
}

/** onError, and a wait for the n-th error reported. */
function errorLog(): { errors: unknown[]; onError: (error: unknown) => void; reported: (count: number) => Promise<void> } {
  const errors: unknown[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    errors,
    onError: (error) => {
      errors.push(error);
      for (const waiter of waiters.filter(({ count }) => errors.length >= count)) waiter.resolve();
    },
    reported: (count) => (errors.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
  };
}

function codes(errors: readonly unknown[]): unknown[] {
  return errors.map((error) => (error as { code?: unknown }).code);
}

function top(game: Game): Array<[string, number]> {
  return game.leaderboard.top(100).map((entry) => [entry.id, entry.score]);
}

describe("the leaderboard when the backend goes away while it is rebuilt", () => {
  it("a rebuild that loses the backend is tried again once it is back, and the leaderboard catches up", async () => {
    const backend = new FlakyBackend();
    const { errors, onError, reported } = errorLog();
    const game = await createGame(backend.kv, { now: new Clock().now, sweepIntervalMs: 0, onError });
    try {
      await backend.memory.batch([{ type: "set", key: "players/amy", value: playerValue("amy", 5) }]);
      await game.catchUp();
      expect(top(game)).toEqual([["amy", 5]]);

      // Killed once: writes go on elsewhere; the restarted server cannot resume the subscription, so
      // the follower rebuilds, and the server dies again during the rebuild's scan.
      backend.kill();
      await backend.memory.batch([{ type: "set", key: "players/bob", value: playerValue("bob", 9) }]);
      backend.dieOnNextScan = true;
      await backend.restart();
      await reported(2); // the subscription ended, then the rebuild lost the backend
      await backend.memory.batch([{ type: "set", key: "players/cy", value: playerValue("cy", 7) }]);
      await backend.restart();

      await game.catchUp();
      expect(top(game)).toEqual([
        ["bob", 9],
        ["cy", 7],
        ["amy", 5],
      ]);
      expect(codes(errors)).toEqual(["STORE_HISTORY_GONE", "STORE_UNAVAILABLE"]);

      // And it follows live writes again.
      await backend.memory.batch([{ type: "set", key: "players/dee", value: playerValue("dee", 1) }]);
      await game.catchUp();
      expect(top(game).at(-1)).toEqual(["dee", 1]);
    } finally {
      await game.close();
    }
  });

  it("close() during the wait to retry ends the rebuild quietly", async () => {
    const backend = new FlakyBackend();
    const { errors, onError, reported } = errorLog();
    const game = await createGame(backend.kv, { now: new Clock().now, sweepIntervalMs: 0, onError });
    backend.kill();
    backend.dieOnNextScan = true;
    await backend.restart();
    await reported(2);
    // The rebuild failed at its scan and waits for the backend; closing must not wait for it, and
    // nothing is reported after it.
    await game.close();
    await backend.restart();
    expect(codes(errors)).toEqual(["STORE_HISTORY_GONE", "STORE_UNAVAILABLE"]);
  });
});
