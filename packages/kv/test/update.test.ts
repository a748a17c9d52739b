import { StoreError } from "@store/fs";
import { describe, expect, it } from "vitest";
import { createMemoryStore, scanAll, update, type KeyValueStore, type ScanOptions, type WriteOp } from "../src/index.js";
import { queuedKeyCount } from "../src/update-queue.js";

/** A memory store whose batches and scans are recorded, and whose batches can be made to fail. */
function spyStore(failBatch?: (ops: readonly WriteOp[], call: number) => Error | undefined): { kv: KeyValueStore; batches: WriteOp[][]; scans: ScanOptions[] } {
  const inner = createMemoryStore();
  const batches: WriteOp[][] = [];
  const scans: ScanOptions[] = [];
  const kv: KeyValueStore = {
    get: (key) => inner.get(key),
    getMany: (keys) => inner.getMany(keys),
    scan: (options) => {
      scans.push(options ?? {});
      return inner.scan(options);
    },
    batch: async (ops) => {
      batches.push([...ops]);
      const failure = failBatch?.(ops, batches.length);
      if (failure !== undefined) throw failure;
      return inner.batch(ops);
    },
    subscribe: (listener, options) => inner.subscribe(listener, options),
    stats: () => inner.stats(),
    close: () => inner.close(),
  };
  return { kv, batches, scans };
}

/** A conflict as another copy of @store/fs would make it: same code, different class. */
function foreignConflict(key: string): Error {
  return Object.assign(new Error(`Key "${key}" moved.`), { code: "STORE_CONFLICT", key });
}

const increment = (key: string) => (entries: ReadonlyMap<string, { value: unknown } | undefined>) => {
  const next = ((entries.get(key)?.value as number | undefined) ?? 0) + 1;
  return { ops: [{ type: "set" as const, key, value: next }], result: next };
};

describe("update()", () => {
  it("puts ifVersion on every op on a read key (null when missing) and a check on every read key it does not write", async () => {
    const { kv, batches } = spyStore();
    const { seq: guardVersion } = await kv.batch([{ type: "set", key: "guard", value: 1 }]);
    const { seq: targetVersion } = await kv.batch([{ type: "set", key: "target", value: 1 }]);
    batches.length = 0;
    const outcome = await update(kv, ["target", "guard", "new", "unread-check"], () => ({
      ops: [
        { type: "set", key: "target", value: 2 },
        { type: "set", key: "new", value: 1 },
        { type: "set", key: "free", value: 1 },
        { type: "delete", key: "other", ifVersion: null },
      ],
      result: "done",
    }));
    expect(outcome).toEqual({ result: "done", seq: targetVersion + 1 });
    expect(batches).toEqual([
      [
        { type: "set", key: "target", value: 2, ifVersion: targetVersion },
        { type: "set", key: "new", value: 1, ifVersion: null },
        { type: "set", key: "free", value: 1 },
        { type: "delete", key: "other", ifVersion: null },
        { type: "check", key: "guard", ifVersion: guardVersion },
        { type: "check", key: "unread-check", ifVersion: null },
      ],
    ]);
  });

  it("a change to a key that was read but not written makes the attempt conflict and retry", async () => {
    const { kv } = spyStore();
    await kv.batch([{ type: "set", key: "price", value: 10 }]);
    const seen: unknown[] = [];
    const { result } = await update(kv, ["price"], async (entries) => {
      seen.push(entries.get("price")?.value);
      if (seen.length === 1) await kv.batch([{ type: "set", key: "price", value: 20 }]);
      return { ops: [{ type: "set", key: "order", value: entries.get("price")!.value }], result: entries.get("price")!.value };
    });
    expect(seen).toEqual([10, 20]);
    expect(result).toBe(20);
    expect((await kv.get("order"))?.value).toBe(20);
  });

  it("an error thrown by compute propagates at once and is not retried, even one coded STORE_CONFLICT", async () => {
    const { kv, batches } = spyStore();
    for (const thrown of [new Error("insufficient funds"), new StoreError("STORE_CONFLICT", "a domain rule said conflict")]) {
      let calls = 0;
      const error = await update(kv, ["k"], () => {
        calls += 1;
        throw thrown;
      }).catch((caught: unknown) => caught);
      expect(error).toBe(thrown);
      expect(calls).toBe(1);
    }
    expect(batches).toEqual([]);
  });

  it("a batch error other than a conflict propagates without retry", async () => {
    const { kv, batches } = spyStore();
    let calls = 0;
    const error = await update(kv, ["k"], () => {
      calls += 1;
      return { ops: [{ type: "set", key: "k", value: Number.NaN }], result: null };
    }).catch((caught: unknown) => caught);
    expect((error as { code?: unknown }).code).toBe("STORE_INVALID_VALUE");
    expect(calls).toBe(1);
    expect(batches).toHaveLength(1);
  });

  it("after attemptsMax conflicts it rejects with STORE_CONFLICT saying how many attempts were made", async () => {
    const last = foreignConflict("hot");
    const { kv, batches } = spyStore((_, call) => (call === 5 ? last : foreignConflict("hot")));
    const sleeps: number[] = [];
    const error = (await update(kv, ["hot"], increment("hot"), { attemptsMax: 5, sleep: async (ms) => void sleeps.push(ms) }).catch((caught: unknown) => caught)) as StoreError;
    expect(error.code).toBe("STORE_CONFLICT");
    expect(error.key).toBe("hot");
    expect(error.message).toContain("5 attempts");
    expect(error.cause).toBe(last);
    expect(batches).toHaveLength(5);
    expect(await kv.get("hot")).toBeUndefined();
  });

  it("retries once at once, then waits a jittered, capped backoff through the injected sleep", async () => {
    const { kv } = spyStore((_, call) => (call <= 7 ? foreignConflict("k") : undefined));
    const sleeps: number[] = [];
    const { result, seq } = await update(kv, ["k"], increment("k"), { sleep: async (ms) => void sleeps.push(ms), backoffMsMax: 3 });
    expect(result).toBe(1);
    expect(seq).toBe(1);
    expect(sleeps).toHaveLength(6); // before attempts 3 to 8
    for (const ms of sleeps) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(3);
    }
  });

  it("the first retry does not sleep", async () => {
    const { kv } = spyStore((_, call) => (call === 1 ? foreignConflict("k") : undefined));
    let slept = 0;
    await update(kv, ["k"], increment("k"), { sleep: async () => void (slept += 1) });
    expect(slept).toBe(0);
  });

  it("no ops: nothing is written and seq is undefined", async () => {
    const { kv, batches } = spyStore();
    expect(await update(kv, ["a", "b"], () => ({ ops: [], result: 42 }))).toEqual({ result: 42, seq: undefined });
    expect(batches).toEqual([]);
  });

  it("compute sees a read-only map of every key read, repeats removed", async () => {
    const kv = createMemoryStore();
    const { seq } = await kv.batch([{ type: "set", key: "a", value: 1 }]);
    await update(kv, ["a", "b", "a"], (entries) => {
      expect([...entries.entries()]).toEqual([
        ["a", { key: "a", value: 1, version: seq }],
        ["b", undefined],
      ]);
      return { ops: [], result: undefined };
    });
  });

  it("refuses an op that brings its own ifVersion on a key it read", async () => {
    const kv = createMemoryStore();
    const error = await update(kv, ["k"], () => ({ ops: [{ type: "set", key: "k", value: 1, ifVersion: null }], result: 0 })).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe("TypeError");
    expect((error as Error).message).toContain('"k"');
  });

  it("refuses bad arguments with a TypeError, as a rejection", async () => {
    const kv = createMemoryStore();
    const compute = () => ({ ops: [], result: 0 });
    const cases: Array<() => Promise<unknown>> = [
      () => update(kv, "k" as unknown as string[], compute),
      () => update(kv, ["k"], "compute" as never),
      () => update(kv, ["k"], compute, { attemptsMax: 0 }),
      () => update(kv, ["k"], compute, { attemptsMax: 1.5 }),
      () => update(kv, ["k"], compute, { backoffMsMax: -1 }),
      () => update(kv, ["k"], compute, { sleep: 5 as never }),
      () => update(kv, ["k"], compute, { attempts: 3 } as never),
      () => update(kv, ["k"], () => ({ result: 0 }) as never),
      () => update(kv, ["k"], () => ({ ops: [null], result: 0 }) as never),
      () => update(kv, ["k"], compute, { queue: "yes" as never }),
      () => update(kv, ["k"], compute, { sharedKeys: "k" as never }),
      () => update(kv, ["k"], compute, { sharedKeys: ["other"] }),
    ];
    for (const call of cases) {
      const error = await call().catch((caught: unknown) => caught);
      expect((error as Error).name, String(error)).toBe("TypeError");
    }
    expect((await update(kv, [""], compute).catch((caught: unknown) => caught) as { code?: unknown }).code).toBe("STORE_INVALID_KEY");
  });
});

/** A promise and the function that resolves it: a compute that waits until the test says. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("update() queues updates of one store on the same keys", () => {
  it("100 concurrent increments of one key, each allowed a single attempt: none conflicts, none is lost", async () => {
    const { kv, batches } = spyStore();
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => update(kv, ["counter"], increment("counter"), { attemptsMax: 1 })));
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    expect((await kv.get("counter"))?.value).toBe(100);
    expect(batches).toHaveLength(100);
    expect(queuedKeyCount(kv)).toBe(0);
  });

  it("with queue: false they race as before: the same increments meet STORE_CONFLICT", async () => {
    const { kv } = spyStore();
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => update(kv, ["counter"], increment("counter"), { attemptsMax: 1, queue: false })));
    const rejected = results.filter((result) => result.status === "rejected");
    expect(rejected.length).toBeGreaterThan(0);
    for (const result of rejected) expect((result.reason as { code?: unknown }).code).toBe("STORE_CONFLICT");
    expect((await kv.get("counter"))?.value).toBe(100 - rejected.length);
  });

  it("takes turns in call order on a key", async () => {
    const kv = createMemoryStore();
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        update(kv, ["k", `own/${index}`], async (entries) => {
          order.push(index);
          await Promise.resolve(); // yield: a later caller could overtake here if unqueued
          return increment("k")(entries);
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 20 }, (_, index) => index));
  });

  it("updates on disjoint keys run side by side", async () => {
    const kv = createMemoryStore();
    const blocked = gate();
    const first = update(kv, ["a"], async (entries) => {
      await blocked.opened;
      return increment("a")(entries);
    });
    // Resolves while the first still holds "a": it never waited for it.
    expect((await update(kv, ["b"], increment("b"))).result).toBe(1);
    blocked.open();
    expect((await first).result).toBe(1);
  });

  it("crossing key orders do not deadlock (an update waits only for updates called before it)", async () => {
    const kv = createMemoryStore();
    const holdX = gate();
    const holdY = gate();
    const holder = (key: string, until: Promise<void>) =>
      update(kv, [key], async (entries) => {
        await until;
        return increment(key)(entries);
      });
    const onX = holder("x", holdX.opened);
    const onY = holder("y", holdY.opened);
    // Taken one at a time in the order given, these two would each get one key and wait forever for the other.
    const xy = update(kv, ["x", "y"], (entries) => increment("x")(entries));
    const yx = update(kv, ["y", "x"], (entries) => increment("y")(entries));
    holdX.open();
    await onX;
    holdY.open();
    await Promise.all([onY, xy, yx]);
    expect([(await kv.get("x"))?.value, (await kv.get("y"))?.value]).toEqual([2, 2]);
    expect(queuedKeyCount(kv)).toBe(0);
  });

  it("shared keys: updates that only read a key hold it together; one that writes it waits for them, and later readers wait for it", async () => {
    const kv = createMemoryStore();
    const readersBlocked = gate();
    const inside: string[] = [];
    const reader = (name: string) =>
      update(
        kv,
        ["flag", `own/${name}`],
        async () => {
          inside.push(name);
          await readersBlocked.opened;
          return { ops: [{ type: "set", key: `own/${name}`, value: 1 }], result: name };
        },
        { sharedKeys: ["flag"] },
      );
    const first = reader("r1");
    const second = reader("r2");
    const writer = update(kv, ["flag"], () => {
      inside.push("writer");
      return { ops: [{ type: "set", key: "flag", value: true }], result: "writer" };
    });
    const late = reader("r3");
    await new Promise((resolve) => setImmediate(resolve));
    expect(inside).toEqual(["r1", "r2"]); // both readers at once; the writer waits, r3 behind it
    readersBlocked.open();
    await Promise.all([first, second, writer, late]);
    expect(inside).toEqual(["r1", "r2", "writer", "r3"]);
  });

  it("a compute that throws, or a batch that fails, gives the keys back", async () => {
    const { kv } = spyStore((ops) => (ops.some((op) => op.key === "bad") ? new Error("disk on fire") : undefined));
    await expect(update(kv, ["k"], () => { throw new Error("refused"); })).rejects.toThrow("refused");
    await expect(update(kv, ["k", "bad"], () => ({ ops: [{ type: "set", key: "bad", value: 1 }], result: 0 }))).rejects.toThrow("disk on fire");
    expect(queuedKeyCount(kv)).toBe(0);
    expect((await update(kv, ["k"], increment("k"))).result).toBe(1);
  });

  it("each store object has its own queue: writes through another object still conflict and are retried", async () => {
    const inner = createMemoryStore();
    const other: KeyValueStore = { ...spyStore().kv, get: (key) => inner.get(key), getMany: (keys) => inner.getMany(keys), batch: (ops) => inner.batch(ops) };
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) => update(index % 2 === 0 ? inner : other, ["counter"], increment("counter"), { attemptsMax: 40 })),
    );
    expect(results).toHaveLength(40);
    expect((await inner.get("counter"))?.value).toBe(40);
  });
});

describe("scanAll()", () => {
  it("pages through every entry with after, in either direction", async () => {
    const { kv, scans } = spyStore();
    const keys = Array.from({ length: 25 }, (_, index) => `k/${String(index).padStart(2, "0")}`);
    await kv.batch([...keys.map((key) => ({ type: "set" as const, key, value: 1 })), { type: "set", key: "other", value: 1 }]);
    const forward: string[] = [];
    for await (const entry of scanAll(kv, { prefix: "k/", pageSize: 10 })) forward.push(entry.key);
    expect(forward).toEqual(keys);
    expect(scans.map((options) => options.after)).toEqual([undefined, "k/09", "k/19"]);
    const backward: string[] = [];
    for await (const entry of scanAll(kv, { prefix: "k/", pageSize: 5, reverse: true, after: "k/20" })) backward.push(entry.key);
    expect(backward).toEqual(keys.slice(0, 20).reverse());
  });

  it("stops paging when the loop breaks", async () => {
    const { kv, scans } = spyStore();
    await kv.batch(Array.from({ length: 30 }, (_, index) => ({ type: "set" as const, key: `k${String(index).padStart(2, "0")}`, value: index })));
    for await (const entry of scanAll(kv, { pageSize: 10 })) if (entry.key === "k05") break;
    expect(scans).toHaveLength(1);
  });

  it("refuses limit and bad page sizes", async () => {
    const kv = createMemoryStore();
    for (const options of [{ limit: 5 }, { pageSize: 0 }, { pageSize: 10_001 }, { pageSize: 2.5 }]) {
      const error = await scanAll(kv, options as never)
        .next()
        .catch((caught: unknown) => caught);
      expect((error as Error).name).toBe("TypeError");
    }
  });
});
