import type { ScenarioResult } from "./scenario.js";

/** Scenario names are padded to this, the longest name's length, so the columns line up. */
const NAME_WIDTH = 16;

/** Failures printed per scenario; the count says how many more there were. */
const FAILURES_SHOWN_MAX = 5;

/** The command that replays one case; `mutate` names the broken build it ran with, if any. */
export function replayCommand(name: string, seed: number, mutate?: string): string {
  return `pnpm torture --only ${name} --seed ${seed}${mutate === undefined ? "" : ` --mutate ${mutate}`}`;
}

/** One line per scenario, then each failure with its seed and the command that replays it. */
export function formatResult(result: ScenarioResult, mutate?: string): string {
  const lastSeed = result.firstSeed + result.cases - 1;
  const lines = [
    `${result.name.padEnd(NAME_WIDTH)} ${String(result.cases).padStart(7)} cases ${String(result.checks).padStart(9)} checks ${String(result.failures.length).padStart(5)} failed` +
      `  (${(result.elapsedMs / 1000).toFixed(1)} s, seeds ${result.firstSeed}..${lastSeed})`,
  ];
  for (const failure of result.failures.slice(0, FAILURES_SHOWN_MAX)) {
    lines.push(`  FAILED seed ${failure.seed}: ${failure.message}`);
    lines.push(`    replay: ${replayCommand(result.name, failure.seed, mutate)}`);
  }
  if (result.failures.length > FAILURES_SHOWN_MAX) lines.push(`  ... and ${result.failures.length - FAILURES_SHOWN_MAX} more failed seeds`);
  return lines.join("\n");
}
