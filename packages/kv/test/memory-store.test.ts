import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryStore, type ChangeEvent } from "../src/index.js";

describe("createMemoryStore", () => {
  it("numbers batches 1, 2, 3 and skips no seq on a refused batch", async () => {
    const kv = createMemoryStore();
    expect((await kv.batch([{ type: "set", key: "a", value: 1 }])).seq).toBe(1);
    await kv.batch([{ type: "set", key: "a", value: 2, ifVersion: null }]).catch(() => undefined);
    await kv.batch([{ type: "set", key: "a", value: Number.NaN }]).catch(() => undefined);
    expect((await kv.batch([{ type: "delete", key: "a" }])).seq).toBe(2);
    expect((await kv.batch([{ type: "set", key: "b", value: 1 }])).seq).toBe(3);
  });

  it("returns entries and values deep-frozen", async () => {
    const kv = createMemoryStore();
    await kv.batch([{ type: "set", key: "a", value: { list: [{ n: 1 }] } }]);
    const entry = (await kv.get("a"))!;
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen((entry.value as { list: Array<{ n: number }> }).list[0])).toBe(true);
  });

  it("keeps exactly the last changeHistoryMax changes for resuming", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2100 }), fc.integer({ min: 0, max: 10 }), async (changeHistoryMax, writes, back) => {
        const kv = createMemoryStore({ changeHistoryMax });
        for (let index = 0; index < writes; index += 1) await kv.batch([{ type: "set", key: "k", value: index }]);
        // Resume near the end, where the boundary is (trimming in chunks happens past 1,024 writes).
        const afterSeq = Math.max(0, writes - back);
        const events: ChangeEvent[] = [];
        const outcome = await kv.subscribe((event) => events.push(event), { afterSeq }).then(
          () => "subscribed",
          (error: unknown) => (error as { code?: string }).code,
        );
        if (afterSeq < writes - changeHistoryMax) {
          expect(outcome).toBe("STORE_HISTORY_GONE");
        } else {
          expect(outcome).toBe("subscribed");
          await kv.close();
          expect(events.map((event) => event.seq)).toEqual(Array.from({ length: writes - afterSeq }, (_, index) => afterSeq + 1 + index));
        }
        await kv.close();
      }),
      { numRuns: 60 },
    );
  });

  it("a subscription closed before its queued event is delivered never sees it", async () => {
    const kv = createMemoryStore();
    const seen: number[] = [];
    const subscription = await kv.subscribe((event) => seen.push(event.seq));
    void kv.batch([{ type: "set", key: "a", value: 1 }]);
    const closing = subscription.close();
    await kv.batch([{ type: "set", key: "a", value: 2 }]);
    await closing;
    await kv.close();
    expect(seen).toEqual([]);
  });

  it("closing a subscription after the store closed resolves", async () => {
    const kv = createMemoryStore();
    const subscription = await kv.subscribe(() => undefined);
    await kv.close();
    await subscription.close();
  });

  it("refuses unknown and bad options", () => {
    expect(() => createMemoryStore({ changeHistoryMaxx: 1 } as never)).toThrow(TypeError);
    expect(() => createMemoryStore({ changeHistoryMax: -1 })).toThrow(TypeError);
    expect(() => createMemoryStore({ changeHistoryMax: 1.5 })).toThrow(TypeError);
    expect(() => createMemoryStore({ changeHistoryMax: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});
