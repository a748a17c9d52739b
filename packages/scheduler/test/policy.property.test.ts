import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffDelayMs, createCompactionScheduler, decideTrigger, resolvePolicy, type CompactionStats } from "../src/index.js";

const policyArb = fc.record({
  minBytes: fc.integer({ min: 0, max: 10_000 }),
  garbageRatioMin: fc.double({ min: 0, max: 1, noNaN: true }),
  maxBytes: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.constant(Number.POSITIVE_INFINITY)),
  maxAgeMs: fc.oneof(fc.integer({ min: 0, max: 50_000 }), fc.constant(Number.POSITIVE_INFINITY)),
});

const statsArb = fc
  .tuple(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 }))
  .map(([a, b]): CompactionStats => ({ totalBytes: Math.max(a, b), liveBytes: Math.min(a, b), lastCompactionAtMs: null }));

describe("decideTrigger matches its spec", () => {
  it("for any stats, policy and age", () => {
    fc.assert(
      fc.property(statsArb, policyArb, fc.integer({ min: 0, max: 100_000 }), (stats, options, ageMs) => {
        const policy = resolvePolicy(options);
        const trigger = decideTrigger(stats, policy, 1_000_000 + ageMs, 1_000_000);
        const dead = stats.totalBytes - stats.liveBytes;
        const size = dead > 0 && stats.totalBytes >= policy.maxBytes;
        const garbage = dead > 0 && stats.totalBytes >= policy.minBytes && dead / stats.totalBytes >= policy.garbageRatioMin;
        const age = dead > 0 && ageMs >= policy.maxAgeMs;
        const expected = size ? "size" : garbage ? "garbage" : age ? "age" : null;
        expect(trigger).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it("backoff is initial * 2^(failures-1), capped, for any failure count", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000_000 }), (failures, initial, max) => {
        const delay = backoffDelayMs(failures, resolvePolicy({ backoffInitialMs: initial, backoffMaxMs: max }));
        expect(delay).toBe(Math.min(max, initial * 2 ** Math.min(failures - 1, 52)));
        expect(delay).toBeLessThanOrEqual(max);
      }),
    );
  });
});

describe("the scheduler follows the decision over a random stats sequence", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("compacts at exactly the checks where the spec says so", async () => {
    const checkIntervalMs = 1_000;
    await fc.assert(
      fc.asyncProperty(policyArb, fc.array(statsArb, { minLength: 1, maxLength: 30 }), async (options, sequence) => {
        vi.useFakeTimers({ now: 0 });
        let index = -1;
        let lastSuccessAtMs = 0;
        let afterCompaction = false;
        const expected: number[] = [];
        const actual: number[] = [];
        const policy = resolvePolicy({ ...options, checkIntervalMs });
        const scheduler = createCompactionScheduler(
          {
            stats: () => {
              if (afterCompaction) {
                afterCompaction = false;
                return { totalBytes: 0, liveBytes: 0, lastCompactionAtMs: null };
              }
              index += 1;
              const stats = sequence[Math.min(index, sequence.length - 1)]!;
              // Oracle: the spec applied to what this check sees, the age clock starting at the last success.
              if (decideTrigger(stats, policy, Date.now(), lastSuccessAtMs) !== null) expected.push(index);
              return stats;
            },
            compact: async () => {
              actual.push(index);
              lastSuccessAtMs = Date.now();
              afterCompaction = true;
            },
          },
          { ...options, checkIntervalMs },
        );
        await vi.advanceTimersByTimeAsync(sequence.length * checkIntervalMs);
        await scheduler.stop();
        vi.useRealTimers();
        expect(actual).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
