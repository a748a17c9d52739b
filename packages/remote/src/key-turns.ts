import type { Clock } from "@store/fs";
import { acquireKeys, validateKeys, type KeyValueStore, type Release } from "@store/kv";
import { remoteError } from "./errors.js";

/**
 * Turns on keys across the server's connections (`getMany` with `turn`, protocol version 3): what
 * @store/kv's per-process queue does for one process's `update()`s, done for every client. The
 * turns join the very lines of that queue, keyed by the served store object, so the server
 * process's own `update()`s on it and its clients' turns wait for each other too.
 *
 * A turn is a hint for speed, never a lock (the batch's preconditions still decide), so the server
 * may always end one: when its batch has been handed to the store and registered as in flight (the
 * next holder's read waits for that batch, `WritesInFlight`, so it reads the new version without
 * waiting for the commit here), at a release message, when its connection closes, and after
 * `turnMsMax` held (a client that is stuck or gone quiet must not block the others). A batch that
 * names a turn that already ended runs as a plain batch.
 *
 * Turns of one connection never wait for each other: a client orders its own (its `update()`s take
 * turns in its process first), and one that waited for another of the same connection could wait
 * for the very caller that holds it. A request that would wait for a turn its connection holds or
 * waits for (a key of both that either writes) is read without a turn. Keys both only read do not
 * count: every `@store/game` operation reads the import marker shared, and a connection's
 * concurrent operations must each get their turn.
 */
export interface TurnSettings {
  readonly store: KeyValueStore;
  readonly clock: Clock;
  /** Longest a turn is held before the server takes it back, in ms. */
  readonly turnMsMax: number;
  /** Turns held or waited for per connection. */
  readonly turnsMax: number;
  readonly socketPath: string;
}

interface Turn {
  readonly id: number;
  readonly keys: readonly string[];
  readonly shared: ReadonlySet<string>;
  state: "waiting" | "held" | "ended";
  release: Release | undefined;
  cancelTimer: (() => void) | undefined;
}

/** One connection's turns. */
export class ConnectionTurns {
  readonly #settings: TurnSettings;
  readonly #turns = new Map<number, Turn>();
  /** How many of this connection's turns (held or waiting) have each key, and how many of those hold it exclusively. */
  readonly #keys = new Map<string, { turns: number; exclusive: number }>();
  #lastId = 0;
  #closed = false;

  constructor(settings: TurnSettings) {
    this.#settings = settings;
  }

  /** Turns held or waited for. */
  get size(): number {
    return this.#turns.size;
  }

  /**
   * Waits for a turn on `keys` (`sharedKeys` held shared) and resolves its id, or undefined when the
   * read goes without a turn (overlapping a turn of this connection, or the connection closed
   * meanwhile). Throws what `getMany` would for bad keys, `TypeError` for bad `sharedKeys`, and
   * `STORE_TOO_LARGE` past `turnsMax`.
   */
  async take(keys: unknown, sharedKeys: unknown): Promise<number | undefined> {
    const keyList = [...new Set(validateKeys(keys))];
    const shared = sharedSet(sharedKeys, keyList);
    if (this.#closed || keyList.some((key) => this.#wouldWait(key, shared.has(key)))) return undefined;
    const { turnsMax, socketPath, store } = this.#settings;
    if (this.#turns.size >= turnsMax) {
      throw remoteError("STORE_TOO_LARGE", `This connection holds or waits for ${this.#turns.size} turns on keys, turnsMax of the store server at ${socketPath}. Write or release some first (update() does), or read without a turn.`);
    }
    this.#lastId += 1;
    const turn: Turn = { id: this.#lastId, keys: keyList, shared, state: "waiting", release: undefined, cancelTimer: undefined };
    this.#turns.set(turn.id, turn);
    for (const key of keyList) {
      const counts = this.#keys.get(key) ?? { turns: 0, exclusive: 0 };
      counts.turns += 1;
      if (!shared.has(key)) counts.exclusive += 1;
      this.#keys.set(key, counts);
    }
    turn.release = await acquireKeys(store, keyList, shared);
    // Ended while it waited (its connection closed): it leaves the lines as soon as it reaches the front.
    if (turn.state === "ended") {
      turn.release();
      return undefined;
    }
    turn.state = "held";
    turn.cancelTimer = this.#settings.clock.setTimer(() => {
      this.end(turn.id);
    }, this.#settings.turnMsMax);
    return turn.id;
  }

  /** Ends turn `id` if this connection still has it (written, released, expired: all the same here). */
  end(id: number): void {
    const turn = this.#turns.get(id);
    if (turn === undefined) return;
    this.#turns.delete(id);
    for (const key of turn.keys) {
      const counts = this.#keys.get(key)!;
      counts.turns -= 1;
      if (!turn.shared.has(key)) counts.exclusive -= 1;
      if (counts.turns === 0) this.#keys.delete(key);
    }
    const held = turn.state === "held";
    turn.state = "ended";
    if (!held) return; // a waiting turn leaves once granted (see take)
    turn.cancelTimer?.();
    turn.release?.();
  }

  /** Whether a turn on `key` (shared or not) would wait for a turn of this connection. */
  #wouldWait(key: string, shared: boolean): boolean {
    const counts = this.#keys.get(key);
    if (counts === undefined) return false;
    return !shared || counts.exclusive > 0;
  }

  /** The connection is gone: every turn it holds is given back, every one it waits for leaves once granted. */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#turns.keys()]) this.end(id);
  }
}

function sharedSet(sharedKeys: unknown, keyList: readonly string[]): ReadonlySet<string> {
  if (sharedKeys === undefined) return new Set();
  if (!Array.isArray(sharedKeys) || !sharedKeys.every((key) => typeof key === "string" && keyList.includes(key))) {
    throw new TypeError(`A turn's sharedKeys must be an array of keys among those read, got ${JSON.stringify(sharedKeys).slice(0, 80)}.`);
  }
  return new Set(sharedKeys as string[]);
}
