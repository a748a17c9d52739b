import { describe, expect, it } from "vitest";
import { createMemoryStore, update, type KeyTurn, type KeyValueStore, type ReadInTurnOptions, type WriteOp } from "../src/index.js";

/** A memory store with turns that hold nothing: it records what update() asks of them. */
function turnStore(failBatch?: (call: number) => Error | undefined) {
  const inner = createMemoryStore();
  const log: string[] = [];
  let open = 0;
  let batches = 0;
  const kv: KeyValueStore = {
    get: (key) => inner.get(key),
    getMany: (keys) => {
      log.push(`getMany ${keys.join(",")}`);
      return inner.getMany(keys);
    },
    scan: (options) => inner.scan(options),
    batch: (ops) => {
      log.push("plain batch");
      return inner.batch(ops);
    },
    subscribe: (listener, options) => inner.subscribe(listener, options),
    stats: () => inner.stats(),
    close: () => inner.close(),
    async readInTurn(keys: readonly string[], options?: ReadInTurnOptions): Promise<KeyTurn> {
      log.push(`turn ${keys.join(",")} shared ${(options?.sharedKeys ?? []).join(",")}`);
      const entries = await inner.getMany(keys);
      open += 1;
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        open -= 1;
      };
      return {
        entries,
        batch: (ops: readonly WriteOp[]) => {
          log.push("turn batch");
          end();
          batches += 1;
          const failure = failBatch?.(batches);
          return failure === undefined ? inner.batch(ops) : Promise.reject(failure);
        },
        release: () => {
          if (!ended) log.push("release");
          end();
        },
      };
    },
  };
  return { kv, log, open: () => open };
}

const conflict = (key: string): Error => Object.assign(new Error(`Key "${key}" moved.`), { code: "STORE_CONFLICT", key });

describe("update() with a backend that offers turns (readInTurn)", () => {
  it("reads in a turn and writes through it", async () => {
    const { kv, log, open } = turnStore();
    await update(kv, ["a", "b"], () => ({ ops: [{ type: "set", key: "a", value: 1 }], result: undefined }), { sharedKeys: ["b"] });
    expect(log).toEqual(["turn a,b shared b", "turn batch"]);
    expect(open()).toBe(0);
    expect((await kv.get("a"))?.value).toBe(1);
  });

  it("gives the turn back when compute writes nothing, throws, or returns a bad plan", async () => {
    const { kv, log, open } = turnStore();
    await update(kv, ["a"], () => ({ ops: [], result: 0 }));
    await expect(update(kv, ["a"], () => { throw new RangeError("no"); })).rejects.toThrow(RangeError);
    await expect(update(kv, ["a"], () => ({ ops: [{ type: "set", key: "a", value: 1, ifVersion: null }], result: 0 }))).rejects.toThrow(TypeError);
    await expect(update(kv, ["a"], () => 5 as never)).rejects.toThrow(TypeError);
    expect(log.filter((line) => line === "release")).toHaveLength(4);
    expect(open()).toBe(0);
  });

  it("after a conflict, reads again in a new turn; after a failed batch, holds none", async () => {
    const { kv, log, open } = turnStore((call) => (call === 1 ? conflict("a") : undefined));
    await update(kv, ["a"], () => ({ ops: [{ type: "set", key: "a", value: 1 }], result: undefined }));
    expect(log).toEqual(["turn a shared ", "turn batch", "turn a shared ", "turn batch"]);
    expect(open()).toBe(0);
    const failing = turnStore(() => new Error("disk"));
    await expect(update(failing.kv, ["a"], () => ({ ops: [{ type: "set", key: "a", value: 1 }], result: undefined }))).rejects.toThrow("disk");
    expect(failing.open()).toBe(0);
  });

  it("with queue: false, takes no turn (a compute that awaits an update of its own keys cannot wait for itself)", async () => {
    const { kv, log } = turnStore();
    await update(kv, ["a"], async () => {
      await update(kv, ["a"], () => ({ ops: [], result: undefined }), { queue: false });
      return { ops: [], result: undefined };
    });
    expect(log).toEqual(["turn a shared ", "getMany a", "release"]);
  });
});
