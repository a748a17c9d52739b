import { expect, it, vi } from "vitest";
import { createCompactionScheduler } from "../src/index.js";
import { FakeTarget } from "./fake-target.js";

it("every timer the scheduler creates is unref'd, with real timers", async () => {
  const spy = vi.spyOn(globalThis, "setTimeout");
  const target = new FakeTarget();
  target.failures = [new Error("fail once")];
  target.set(100, 0);
  const scheduler = createCompactionScheduler(target, { checkIntervalMs: 5, backoffInitialMs: 5, minBytes: 0, onError: () => undefined });
  await new Promise<void>((resolve) => {
    const poll = (): void => {
      if (target.compactCalls >= 2) resolve();
      else setImmediate(poll);
    };
    poll();
  });
  await scheduler.stop();
  const timers = spy.mock.results.map((result) => result.value as NodeJS.Timeout);
  spy.mockRestore();
  expect(timers.length).toBeGreaterThanOrEqual(3); // first check, backoff, check after success
  expect(timers.every((timer) => !timer.hasRef())).toBe(true);
});
