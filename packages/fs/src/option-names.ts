/**
 * Refuses names the callee does not know, so a misspelling (`synk`, `checkIntervalMS`, `ifversion`)
 * is an error rather than a default silently kept or a precondition silently dropped. A TypeError
 * naming the unknown name, the likely intended one when only the case differs, and every known name.
 */
export function assertOptionNames(options: object, known: readonly string[], where: string, noun: "option" | "property" = "option"): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const meant = known.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name);
    throw new TypeError(
      `${where}: unknown ${noun} ${shown}${meant === undefined ? "" : ` (did you mean ${JSON.stringify(meant)}?)`}. ` +
        `The ${noun === "option" ? "options" : "properties"} are ${known.join(", ")}.`,
    );
  }
}
