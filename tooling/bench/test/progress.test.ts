import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, Progress, type Step, type StepEstimate } from "../src/progress.js";
import type { AdapterSpec } from "../src/adapter.js";
import { planSteps, type AdapterStatus } from "../src/runner.js";
import type { Workload } from "../src/workload.js";

/** A clock the test moves by hand: nothing here waits for real time. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let nowMs = 0;
  return { now: () => nowMs, advance: (ms) => void (nowMs += ms) };
}

function plan(workloads: readonly string[], systems: readonly string[], runs: number): Step[] {
  const steps: Step[] = [];
  for (const workload of workloads) {
    for (let run = 1; run <= runs; run++) {
      for (const system of systems) steps.push({ workload, system, run, runs });
    }
  }
  return steps;
}

const estimates = new Map<string, StepEstimate>([
  ["a", { firstRunMs: 10_000, laterRunMs: 10_000 }],
  ["b", { firstRunMs: 40_000, laterRunMs: 4_000 }],
]);

describe("bench progress", () => {
  it("counts steps and says how long is left before the first step, from the estimates", () => {
    const clock = fakeClock();
    const steps = plan(["a", "b"], ["x", "y"], 2);
    const progress = new Progress(steps, estimates, clock.now);
    expect(progress.total).toBe(8);
    // a: 4 steps of 10 s; b: 2 first runs of 40 s and 2 later runs of 4 s.
    expect(progress.leftMs()).toBe(4 * 10_000 + 2 * 40_000 + 2 * 4_000);
    const line = progress.start(steps[0]!);
    expect(line).toBe("1/8 (0%) a: x, run 1 of 2: 0 s elapsed, about 2 min 08 s left");
  });

  it("expects a later run to take what the same system took in the earlier one", () => {
    const clock = fakeClock();
    const steps = plan(["a"], ["x", "y"], 2);
    const progress = new Progress(steps, estimates, clock.now);
    progress.start(steps[0]!);
    clock.advance(20_000);
    progress.finish(steps[0]!);
    progress.start(steps[1]!);
    clock.advance(30_000);
    progress.finish(steps[1]!);
    // Run 2 of x and y: 20 s and 30 s, as they took in run 1.
    expect(progress.leftMs()).toBe(50_000);
    expect(progress.start(steps[2]!)).toBe("3/4 (50%) a: x, run 2 of 2: 50 s elapsed, about 50 s left");
  });

  it("scales the estimates of steps not run yet by how this machine compares with them", () => {
    const clock = fakeClock();
    const steps = plan(["a", "b"], ["x"], 1);
    const progress = new Progress(steps, estimates, clock.now);
    progress.start(steps[0]!);
    clock.advance(20_000); // twice the estimate of a
    progress.finish(steps[0]!);
    expect(progress.leftMs()).toBe(2 * 40_000);
  });

  it("scales a measured first run by the table when the later runs reuse its dataset", () => {
    const clock = fakeClock();
    const steps = plan(["b"], ["x"], 2);
    const progress = new Progress(steps, estimates, clock.now);
    progress.start(steps[0]!);
    clock.advance(80_000);
    progress.finish(steps[0]!);
    // b's later runs take a tenth of its first run.
    expect(progress.leftMs()).toBe(8_000);
  });

  it("drops the later runs of a system that failed from the count", () => {
    const clock = fakeClock();
    const steps = plan(["a"], ["x", "y"], 3);
    const progress = new Progress(steps, estimates, clock.now);
    progress.start(steps[0]!);
    progress.dropRemaining("a", "x");
    progress.finish(steps[0]!);
    expect(progress.total).toBe(4);
    expect(progress.start(steps[1]!)).toMatch(/^2\/4 /);
  });

  it("refuses a step out of the planned order", () => {
    const steps = plan(["a"], ["x", "y"], 1);
    const progress = new Progress(steps, estimates, fakeClock().now);
    expect(() => progress.start(steps[1]!)).toThrow(/a: y, run 1 of 1 was not the next step planned/);
  });

  it("never estimates a negative time, and reaches zero left with every step done", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "unknown"), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat({ max: 100_000 }), { minLength: 1 }),
        (workloads, systems, runs, durations) => {
          const clock = fakeClock();
          const steps = plan([...new Set(workloads)], Array.from({ length: systems }, (_, i) => `s${i}`), runs);
          const progress = new Progress(steps, estimates, clock.now);
          steps.forEach((step, index) => {
            progress.start(step);
            expect(progress.leftMs()).toBeGreaterThanOrEqual(0);
            clock.advance(durations[index % durations.length]!);
            expect(progress.leftMs()).toBeGreaterThanOrEqual(0);
            progress.finish(step);
          });
          expect(progress.done).toBe(steps.length);
          expect(progress.leftMs()).toBe(0);
        },
      ),
    );
  });

  it("formats durations in minutes and seconds", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(59_400)).toBe("59 s");
    expect(formatDuration(75_000)).toBe("1 min 15 s");
    expect(formatDuration(540_000)).toBe("9 min 00 s");
  });
});

describe("planSteps", () => {
  it("lists the steps in the order runWorkload takes them: run by run, systems in table order", () => {
    const spec = (name: string): AdapterSpec => ({ name }) as AdapterSpec;
    const statuses: AdapterStatus[] = [
      { spec: spec("x"), unavailable: null },
      { spec: spec("gone"), unavailable: "not installed" },
      { spec: spec("y"), unavailable: null },
    ];
    const workload = (name: string, applies: (spec: AdapterSpec) => boolean): Workload =>
      ({ name, appliesTo: applies }) as Workload;
    const steps = planSteps([workload("w", () => true), workload("v", (s) => s.name === "y")], statuses, 2);
    expect(steps.map((step) => `${step.workload}/${step.system}/${step.run}`)).toEqual([
      "w/x/1",
      "w/y/1",
      "w/x/2",
      "w/y/2",
      "v/y/1",
      "v/y/2",
    ]);
  });
});
