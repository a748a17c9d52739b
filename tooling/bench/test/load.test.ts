import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { busyWarning, formatLoad, LoadWatch, type LoadReport, type LoadSample } from "../src/load.js";
import type { WorkloadReport } from "../src/report.js";
import { formatReport } from "../src/table.js";

// Whether a run's figures can be trusted is decided from os.loadavg() samples: these tests feed
// the samples in, so nothing here depends on the machine running them.

const sample = (oneMinute: number, cpus = 2): LoadSample => ({ loadAverage: [oneMinute, oneMinute / 2, oneMinute / 4], cpus });

/** A LoadWatch fed `samples` in turn: the first when made, the last at finish. */
function watched(samples: readonly LoadSample[]): LoadReport {
  let next = 0;
  const watch = new LoadWatch(() => samples[Math.min(next++, samples.length - 1)]!);
  for (let index = 1; index < samples.length - 1; index++) watch.sample();
  return watch.finish();
}

describe("the load watch", () => {
  it("calls a stretch busy exactly when some 1-minute load average exceeded the CPU count", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ oneMinute: fc.double({ min: 0, max: 64, noNaN: true }), cpus: fc.integer({ min: 1, max: 16 }) }), { minLength: 2, maxLength: 20 }), (raw) => {
        const samples = raw.map(({ oneMinute, cpus }) => sample(oneMinute, cpus));
        const load = watched(samples);
        expect(load.busy).toBe(samples.some((each) => each.loadAverage[0] > each.cpus));
        expect(load.oneMinuteMax).toBe(Math.max(...samples.map((each) => each.loadAverage[0])));
        expect(load.start).toBe(samples[0]);
        expect(load.end).toBe(samples.at(-1));
      }),
    );
  });

  it("is calm at a load equal to the CPU count, and busy just above it, even if only between steps", () => {
    expect(watched([sample(2), sample(2)]).busy).toBe(false);
    expect(watched([sample(1), sample(2.01), sample(0.5)]).busy).toBe(true);
  });
});

describe("the load in the report", () => {
  const calm = watched([sample(0.81), sample(1.5)]);
  const busy = watched([sample(0.5), sample(7.28), sample(3)]);

  it("says the load averages at the start and the end and the CPU count on one line", () => {
    expect(formatLoad(calm)).toBe("load average (1, 5, 15 min) 0.81, 0.41, 0.20 at the start, 1.50, 0.75, 0.38 at the end; 2 CPUs");
  });

  it("warns only about a busy stretch, with the highest 1-minute load seen", () => {
    expect(busyWarning(calm)).toBeNull();
    expect(busyWarning(busy)).toBe("WARNING: figures are unreliable: the machine was busy (1-minute load average up to 7.28 on 2 CPUs)");
  });

  it("prints the warning under the heading of a busy workload and at the top of a busy run, and the load of each", () => {
    const workload = (name: string, load: LoadReport): WorkloadReport => ({
      name,
      title: name,
      headline: { key: "opsPerSec", better: "higher" },
      columns: [],
      results: [],
      vsBestDurablePeer: null,
      vsDiskLimit: null,
      load,
    });
    const text = formatReport({ startedAt: "", command: "pnpm bench", environment: {}, adapters: [], workloads: [workload("calm-one", calm), workload("busy-one", busy)], targets: [], load: busy });
    const lines = text.split("\n");
    const warning = "**WARNING: figures are unreliable: the machine was busy (1-minute load average up to 7.28 on 2 CPUs)**";
    expect(lines.filter((line) => line === warning)).toHaveLength(2);
    expect(lines.indexOf(warning)).toBeLessThan(lines.indexOf("### calm-one: calm-one"));
    expect(lines[lines.indexOf("### busy-one: busy-one") + 2]).toBe(warning);
    expect(lines).toContain(formatLoad(busy));
    expect(lines).toContain(`- ${formatLoad(calm)}`);
    expect(formatReport({ startedAt: "", command: "pnpm bench", environment: {}, adapters: [], workloads: [workload("calm-one", calm)], targets: [], load: calm })).not.toMatch(/WARNING/);
  });
});
