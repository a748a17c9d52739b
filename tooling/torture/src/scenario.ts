import type { FsWrapper } from "./fs-wrappers.js";

/** What a case gets besides its seed. */
export interface CaseOptions {
  /** Wraps every FileSystem the case hands to the code under test (the mutation checks break it). */
  readonly wrapFs: FsWrapper;
}

/**
 * A named torture scenario. A case is a pure function of its seed (as far as the OS allows: kill
 * timings are not), so a failing seed replays. It throws when a guarantee is broken.
 */
export interface Scenario {
  readonly name: string;
  /** One line: what it does and what it proves. */
  readonly summary: string;
  /** Runs the case for `seed`; returns how many checks (cuts, flips, files, rounds) it made. */
  runCase(seed: number, options: CaseOptions): Promise<number>;
}

export interface Failure {
  readonly seed: number;
  readonly message: string;
}

export interface ScenarioResult {
  readonly name: string;
  readonly firstSeed: number;
  readonly cases: number;
  readonly checks: number;
  readonly failures: readonly Failure[];
  readonly elapsedMs: number;
}

export interface RunOptions {
  /** The first case's seed; case i runs with seed + i. */
  readonly seed: number;
  /** Stop starting new cases after this many milliseconds (at least one case always runs). */
  readonly budgetMs: number;
  /** Stop after this many cases. Default: unlimited. */
  readonly casesMax?: number;
  readonly wrapFs?: FsWrapper;
}

/** Runs cases with seeds seed, seed + 1, ... until the budget or the case limit is reached. */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const startedAtMs = Date.now();
  const casesMax = options.casesMax ?? Number.POSITIVE_INFINITY;
  const caseOptions: CaseOptions = { wrapFs: options.wrapFs ?? ((fs) => fs) };
  const failures: Failure[] = [];
  let cases = 0;
  let checks = 0;
  while (cases < casesMax && (cases === 0 || Date.now() - startedAtMs < options.budgetMs)) {
    const seed = options.seed + cases;
    cases += 1;
    try {
      checks += await scenario.runCase(seed, caseOptions);
    } catch (error) {
      failures.push({ seed, message: describeError(error) });
    }
  }
  return { name: scenario.name, firstSeed: options.seed, cases, checks, failures, elapsedMs: Date.now() - startedAtMs };
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? ` (cause: ${error.cause.message})` : "";
  return `${typeof code === "string" ? `${code}: ` : ""}${error.message}${cause}`;
}

/** A broken guarantee: the message says what was expected and what was found. */
export class Violation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Violation";
  }
}

export function check(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) throw new Violation(typeof message === "string" ? message : message());
}
