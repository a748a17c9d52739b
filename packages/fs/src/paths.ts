import { basename, dirname, join } from "node:path";

let tempCounter = 0;

/**
 * A temp name in the same folder as `path` (a rename is atomic only within one file system),
 * unique within this process and across processes by pid.
 */
export function tempPathFor(path: string): string {
  tempCounter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter}.tmp`);
}

/** True for names that `tempPathFor` makes, so recovery can clean up after a crash. */
export function isTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}

/** The pid that made a temp file (see `tempPathFor`), or undefined if the name is not one. */
export function tempFileOwnerPid(name: string): number | undefined {
  if (!isTempName(name)) return undefined;
  const parts = name.slice(0, -".tmp".length).split(".");
  const pid = Number(parts.at(-2));
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}
