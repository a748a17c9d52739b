import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { median, medianMetrics, percentile, summarizeLatencies } from "../src/stats.js";

// -0 and 0 sort as equal but are different to toBe: fold them so order-independence is testable.
const sample = fc.double({ min: -1e9, max: 1e9, noNaN: true }).map((value) => (value === 0 ? 0 : value));
const samples = fc.array(sample, { minLength: 1, maxLength: 200 });
const percentRank = fc.double({ min: 0, max: 100, noNaN: true });

describe("median", () => {
  it("lies between the smallest and the largest sample", () => {
    fc.assert(
      fc.property(samples, (values) => {
        const middle = median(values);
        expect(middle).toBeGreaterThanOrEqual(Math.min(...values));
        expect(middle).toBeLessThanOrEqual(Math.max(...values));
      }),
    );
  });

  it("does not depend on the order of the samples, and leaves them unchanged", () => {
    fc.assert(
      fc.property(samples, (values) => {
        const copy = [...values];
        expect(median([...values].reverse())).toBe(median(values));
        expect(values).toEqual(copy);
      }),
    );
  });

  it("has as many samples at or below it as at or above it", () => {
    fc.assert(
      fc.property(samples, (values) => {
        const middle = median(values);
        const below = values.filter((value) => value <= middle).length;
        const above = values.filter((value) => value >= middle).length;
        expect(below).toBeGreaterThanOrEqual(values.length / 2);
        expect(above).toBeGreaterThanOrEqual(values.length / 2);
      }),
    );
  });

  it("of an odd count is one of the samples", () => {
    fc.assert(
      fc.property(samples.filter((values) => values.length % 2 === 1), (values) => {
        expect(values).toContain(median(values));
      }),
    );
  });

  it("of an even count is the mean of the two middle samples", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("rejects an empty list and non-finite samples with a TypeError", () => {
    expect(() => median([])).toThrow(TypeError);
    expect(() => median([1, Number.NaN])).toThrow(TypeError);
    expect(() => median([Infinity])).toThrow(TypeError);
  });
});

describe("percentile", () => {
  it("is always one of the samples", () => {
    fc.assert(
      fc.property(samples, percentRank, (values, p) => {
        expect(values).toContain(percentile(values, p));
      }),
    );
  });

  it("follows the nearest-rank definition: at least p% at or below, fewer than p% strictly below", () => {
    fc.assert(
      fc.property(samples, percentRank, (values, p) => {
        const result = percentile(values, p);
        const atOrBelow = values.filter((value) => value <= result).length;
        const below = values.filter((value) => value < result).length;
        expect(atOrBelow).toBeGreaterThanOrEqual((p / 100) * values.length);
        expect(below).toBeLessThan(Math.max(1, (p / 100) * values.length));
      }),
    );
  });

  it("never decreases as p grows", () => {
    fc.assert(
      fc.property(samples, percentRank, percentRank, (values, p, q) => {
        const [low, high] = p <= q ? [p, q] : [q, p];
        expect(percentile(values, low)).toBeLessThanOrEqual(percentile(values, high));
      }),
    );
  });

  it("at 0 is the minimum and at 100 the maximum", () => {
    fc.assert(
      fc.property(samples, (values) => {
        expect(percentile(values, 0)).toBe(Math.min(...values));
        expect(percentile(values, 100)).toBe(Math.max(...values));
      }),
    );
  });

  it("rejects p outside 0..100", () => {
    expect(() => percentile([1], -1)).toThrow(TypeError);
    expect(() => percentile([1], 100.5)).toThrow(TypeError);
    expect(() => percentile([1], Number.NaN)).toThrow(TypeError);
  });
});

describe("summaries", () => {
  it("latency summary is ordered p50 <= p99 <= max", () => {
    fc.assert(
      fc.property(samples, (values) => {
        const summary = summarizeLatencies(values);
        expect(summary.p50Ms).toBeLessThanOrEqual(summary.p99Ms);
        expect(summary.p99Ms).toBeLessThanOrEqual(summary.maxMs);
      }),
    );
  });

  it("median of metrics takes each metric's median, and null wins when any run lacks it", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer(), fc.option(fc.integer())), { minLength: 1, maxLength: 20 }), (pairs) => {
        const runs = pairs.map(([rate, maybe]) => ({ rate, maybe }));
        const result = medianMetrics(runs);
        expect(result["rate"]).toBe(median(pairs.map(([rate]) => rate)));
        const known = pairs.map(([, maybe]) => maybe).filter((value): value is number => value !== null);
        expect(result["maybe"]).toBe(known.length === pairs.length ? median(known) : null);
      }),
    );
  });
});
