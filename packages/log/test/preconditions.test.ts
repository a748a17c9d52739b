import { describe, expect, it } from "vitest";
import { openStore, type Store } from "../src/index.js";
import { tempDir } from "./helpers.js";

/**
 * The retry loop the README advises for STORE_CONFLICT, written as a new user writes it: read the
 * version and the value, batch with ifVersion, repeat on conflict, never yield on purpose. The
 * attempt cap only turns a hang into a failure the test can report.
 */
async function incrementWithPlainRetry(store: Store, key: string, attemptsCap: number): Promise<{ attempts: number }> {
  for (let attempts = 1; attempts <= attemptsCap; attempts += 1) {
    const entry = store.getEntry(key);
    const value = (entry?.value as number | undefined) ?? 0;
    try {
      await store.batch([{ type: "set", key, value: value + 1, ifVersion: entry?.version ?? null }]);
      return { attempts };
    } catch (error) {
      if ((error as { code?: unknown }).code !== "STORE_CONFLICT") throw error;
    }
  }
  throw new Error(`gave up after ${attemptsCap} attempts: the retry loop does not converge`);
}

describe("preconditions and retries", () => {
  it("a plain conflict retry loop of 16 workers converges, with at most one conflict per commit of another worker", async () => {
    const store = await openStore(await tempDir());
    const workers = 16;
    const incrementsEach = 40;
    const attemptCounts = await Promise.all(
      Array.from({ length: workers }, async () => {
        let attempts = 0;
        for (let index = 0; index < incrementsEach; index += 1) attempts += (await incrementWithPlainRetry(store, "counter", 10_000)).attempts;
        return attempts;
      }),
    );
    expect(store.get("counter")).toBe(workers * incrementsEach);
    // A conflict means another worker's write committed, and each commit can beat every other worker once.
    const conflicts = attemptCounts.reduce((sum, attempts) => sum + attempts, 0) - workers * incrementsEach;
    expect(conflicts).toBeLessThanOrEqual(workers * incrementsEach * (workers - 1));
    await store.close();
  });

  it("a precondition on a key with a write in flight is checked once that write is durable", async () => {
    const store = await openStore(await tempDir());
    const first = store.set("k", 1);
    // Submitted before the first set is acknowledged; version() still says the key does not exist.
    expect(store.version("k")).toBeUndefined();
    let firstAcknowledged = false;
    void first.then(() => (firstAcknowledged = true));
    const racing = store.batch([{ type: "set", key: "k", value: 2, ifVersion: null }]);
    const rejectedAfterFirst = racing.then(
      () => undefined,
      () => firstAcknowledged,
    );
    const { seq } = await first;
    await expect(racing).rejects.toMatchObject({ code: "STORE_CONFLICT", key: "k" });
    expect(await rejectedAfterFirst).toBe(true);
    // What the conflict was about is now visible to the caller, so a retry can succeed.
    expect(store.version("k")).toBe(seq);
    await expect(store.batch([{ type: "set", key: "k", value: 2, ifVersion: seq }])).resolves.toEqual({ seq: seq + 1 });
    await store.close();
  });

  it("ifVersion present but undefined is refused: a missing key's version() must not mean 'no condition'", async () => {
    const store = await openStore(await tempDir());
    const missing = store.version("k");
    const op = { type: "set" as const, key: "k", value: 1, ifVersion: missing } as unknown as { type: "set"; key: string; value: number };
    await expect(store.batch([op])).rejects.toThrow(/ifVersion undefined.*write null/);
    expect(store.seq).toBe(0);
    await store.close();
  });

  it("two racing creates with ifVersion null: exactly one wins", async () => {
    const store = await openStore(await tempDir());
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, index) => store.batch([{ type: "set", key: "room", value: index, ifVersion: null }])));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const codes = results.flatMap((result) => (result.status === "rejected" ? [(result.reason as { code?: unknown }).code] : []));
    expect(codes).toEqual(Array(7).fill("STORE_CONFLICT"));
    await store.close();
  });

  it("a check op guards a key the batch reads but does not write", async () => {
    const store = await openStore(await tempDir());
    const { seq } = await store.set("cooldown", 1);
    await store.set("cooldown", 2);
    await expect(store.batch([{ type: "check", key: "cooldown", ifVersion: seq }, { type: "set", key: "reward", value: 1 }])).rejects.toMatchObject({ code: "STORE_CONFLICT", key: "cooldown" });
    expect(store.has("reward")).toBe(false);
    await store.batch([{ type: "check", key: "cooldown", ifVersion: seq + 1 }, { type: "set", key: "reward", value: 1 }]);
    expect(store.get("reward")).toBe(1);
    await expect(store.batch([{ type: "check", key: "cooldown", ifVersion: seq + 1 }])).rejects.toThrow(/at least one set or delete/);
    await store.close();
  });
});
