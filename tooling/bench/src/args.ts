import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchOptions {
  readonly quick: boolean;
  /** Workload or suite names to run; empty = all. */
  readonly only: readonly string[];
  readonly runs: number;
  /** Parent folder for the data; null = a temporary folder on the same disk as the repository if /tmp is tmpfs. */
  readonly dir: string | null;
  readonly out: string;
  readonly help: boolean;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const defaultOut = join(repoRoot, "bench-results", "latest.json");
export const runsMax = 100;

export const usage = `usage: pnpm bench [--quick] [--only <workload>[,<workload>...]] [--runs N] [--dir <path>] [--out <file>]
  --quick        every system briefly with small counts (proves the harness works; timings mean nothing)
  --only         run only these workloads, or suites of them (game: game-ops, game-leaderboard, game-start)
  --runs N       runs per system and workload; medians are reported (default 3, 1 with --quick)
  --dir <path>   where the data goes (default: a new folder under the OS temp dir, or the repo's
                 bench-results/ if the temp dir is tmpfs); removed afterwards
  --out <file>   JSON results (default ${defaultOut})`;

function valueAfter(args: readonly string[], index: number, flag: string): string {
  const value = args[index + 1];
  if (value === undefined || value.startsWith("--")) throw new TypeError(`${flag} needs a value\n${usage}`);
  return value;
}

export function parseArgs(args: readonly string[], knownWorkloads: readonly string[]): BenchOptions {
  let quick = false;
  let help = false;
  let only: string[] = [];
  let runs: number | null = null;
  let dir: string | null = null;
  let out = defaultOut;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--quick") quick = true;
    else if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--only") only = valueAfter(args, index++, arg).split(",").filter((name) => name !== "");
    else if (arg === "--runs") runs = parseRuns(valueAfter(args, index++, arg));
    else if (arg === "--dir") dir = resolve(valueAfter(args, index++, arg));
    else if (arg === "--out") out = resolve(valueAfter(args, index++, arg));
    else throw new TypeError(`unknown argument "${arg.slice(0, 40)}"\n${usage}`);
  }
  for (const name of only) {
    if (!knownWorkloads.includes(name)) {
      throw new TypeError(`unknown workload "${name.slice(0, 40)}"; known: ${knownWorkloads.join(", ")}`);
    }
  }
  return { quick, only, runs: runs ?? (quick ? 1 : 3), dir, out, help };
}

function parseRuns(text: string): number {
  const runs = Number(text);
  if (!Number.isInteger(runs) || runs < 1 || runs > runsMax) {
    throw new TypeError(`--runs must be an integer from 1 to ${runsMax}, got "${text.slice(0, 20)}"`);
  }
  return runs;
}
