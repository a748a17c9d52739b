import { USAGE, parseCli, type CliOptions } from "./cli.js";
import { MUTATIONS, unchangedFs } from "./fs-wrappers.js";
import { formatResult } from "./report.js";
import { runScenario, type Scenario } from "./scenario.js";
import { scenarios } from "./scenarios/index.js";

const SECONDS_DEFAULT = 60;

function select(only: readonly string[]): Scenario[] {
  if (only.length === 0) return [...scenarios];
  return only.map((name) => {
    const found = scenarios.find((scenario) => scenario.name === name);
    if (found === undefined) throw new TypeError(`There is no scenario ${JSON.stringify(name)}; the scenarios are ${scenarios.map((scenario) => scenario.name).join(", ")}.`);
    return found;
  });
}

/** With only `--seed`, each scenario replays that one case; otherwise cases run for the time budget. */
async function main(options: CliOptions, selected: readonly Scenario[]): Promise<number> {
  const replay = options.seed !== undefined && options.seconds === undefined;
  const seconds = options.seconds ?? SECONDS_DEFAULT;
  const seed = options.seed ?? Date.now() % 1_000_000_000;
  const budgetMs = (seconds * 1000) / selected.length;
  const wrapFs = options.mutate === undefined ? unchangedFs : MUTATIONS[options.mutate]!;
  if (options.mutate !== undefined) console.log(`torture: running a deliberately broken build (${options.mutate}); failures are expected`);
  console.log(replay ? `torture: replaying seed ${seed}` : `torture: ${seconds} s over ${selected.length} scenarios, first seed ${seed}`);
  let failed = 0;
  for (const scenario of selected) {
    const result = await runScenario(scenario, { seed, budgetMs, wrapFs, ...(replay ? { casesMax: 1 } : {}) });
    console.log(formatResult(result, options.mutate));
    failed += result.failures.length;
  }
  console.log(failed === 0 ? "torture: no failures" : `torture: ${failed} failed cases`);
  return failed === 0 ? 0 : 1;
}

let options: CliOptions;
let selected: Scenario[];
try {
  options = parseCli(process.argv.slice(2));
  selected = select(options.only);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(USAGE);
  process.exit(2);
}
process.exitCode = await main(options, selected);
