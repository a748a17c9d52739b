import { quote, show } from "@store/fs";
import { FRAME_BYTES_MAX_DEFAULT, FRAME_BYTES_MIN } from "./limits.js";

// Options are checked when the server or client is made: a misspelled option or a bad value is a
// TypeError naming it, never a silent default.

export function checkOptionNames(options: object, known: readonly string[], where: string): void {
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw new TypeError(`${where} has no option ${quote(name)}; the known ones are ${known.join(", ")}.`);
  }
}

export function optionsObject(options: unknown, where: string): Record<string, unknown> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new TypeError(`${where} takes an options object, got ${show(options)}.`);
  return options as Record<string, unknown>;
}

/** An integer from `min` (Infinity allowed when `infinite`), or the default when left out. */
export function integerOption(options: Record<string, unknown>, name: string, fallback: number, min: number, where: string, infinite = false): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (infinite && value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`${where}: option ${name} must be an integer from ${min}${infinite ? " (or Infinity)" : ""}, got ${show(value)}.`);
  }
  return value;
}

export function frameBytesMaxOption(options: Record<string, unknown>, where: string): number {
  return integerOption(options, "frameBytesMax", FRAME_BYTES_MAX_DEFAULT, FRAME_BYTES_MIN, where);
}

/** A function option, or undefined when left out (the caller casts it to the signature it documents). */
export function functionOption(options: Record<string, unknown>, name: string, where: string): ((...args: never[]) => unknown) | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "function") throw new TypeError(`${where}: option ${name} must be a function, got ${show(value)}.`);
  return value as (...args: never[]) => unknown;
}
