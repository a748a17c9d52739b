/**
 * What `store` exits with; the README's table. Scripts can rely on these within a major version.
 * 1 means the command ran and found something wrong with the data (damage, or the key or records
 * asked for are not there); 2 means it could not do its job (locked, unreadable, refused input) or
 * the command line itself is wrong (as issue 11 asks, like grep and diff: 2 is "trouble").
 */
export const EXIT = {
  ok: 0,
  /** Damage found (verify, a damaged folder or input file, an audit that fails), or not found (get, del, tail history gone). */
  found: 1,
  /** Could not run: locked, I/O, not a store, a newer format, refused input, an internal error. */
  failed: 2,
  /** Bad command line: unknown command or option, missing argument, a value that does not parse (usage printed). Same code as `failed`. */
  usage: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A wrong command line noticed by a command itself (a JSON argument that does not parse...). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Exit with `code` after the command printed what it found (not found, damage). */
export class Outcome {
  readonly code: ExitCode;
  constructor(code: ExitCode) {
    this.code = code;
  }
}
