/**
 * Refuses option names the callee does not know, so a misspelling (`checkIntervalMS`) is an error
 * rather than a default silently kept. A TypeError naming the unknown option, the likely intended
 * one when only the case differs, and every known name.
 */
export function assertOptionNames(options: object, known: readonly string[], where: string): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const meant = known.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    throw new TypeError(
      `${where}: unknown option ${JSON.stringify(name)}${meant === undefined ? "" : ` (did you mean ${JSON.stringify(meant)}?)`}. ` +
        `The options are ${known.join(", ")}.`,
    );
  }
}
