import { parseArgs } from "node:util";
import { MUTATIONS } from "./fs-wrappers.js";

export interface CliOptions {
  /** Total seconds over all selected scenarios; undefined with `--seed` alone (replay one case each). */
  readonly seconds: number | undefined;
  readonly seed: number | undefined;
  readonly only: readonly string[];
  /** A deliberately broken FileSystem to run with (see MUTATIONS), or undefined. */
  readonly mutate: string | undefined;
}

export const USAGE = `usage: pnpm torture [--seconds N] [--seed S] [--only NAME[,NAME...]] [--mutate ${Object.keys(MUTATIONS).join("|")}]`;

/** Parses the command line; a bad argument is a TypeError quoting it. */
export function parseCli(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: { seconds: { type: "string" }, seed: { type: "string" }, only: { type: "string" }, mutate: { type: "string" } },
    strict: true,
  });
  return {
    seconds: values.seconds === undefined ? undefined : positiveNumber("--seconds", values.seconds),
    seed: values.seed === undefined ? undefined : seedOf(values.seed),
    only: values.only === undefined ? [] : values.only.split(",").filter((name) => name !== ""),
    mutate: values.mutate === undefined ? undefined : mutationOf(values.mutate),
  };
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${flag} takes a positive number of seconds, got ${JSON.stringify(text)}. ${USAGE}`);
  return value;
}

function mutationOf(text: string): string {
  if (Object.hasOwn(MUTATIONS, text)) return text;
  throw new TypeError(`--mutate takes one of ${Object.keys(MUTATIONS).join(", ")}, got ${JSON.stringify(text)}. ${USAGE}`);
}

function seedOf(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`--seed takes a non-negative integer, got ${JSON.stringify(text)}. ${USAGE}`);
  return value;
}
