import { EXIT, UsageError, type ExitCode } from "./exit-codes.js";
import { err, type Io } from "./io.js";

/** An error the packages threw on purpose: told apart by `code`, never by class (packages are versioned apart). */
interface CodedError {
  readonly code: string;
  readonly message: string;
  readonly path?: unknown;
  readonly offset?: unknown;
}

function isCoded(error: unknown): error is CodedError {
  if (!(error instanceof Error)) return false;
  const { code } = error as Error & { code?: unknown };
  return typeof code === "string" && /^(STORE|GAME)_[A-Z_]+$/u.test(code);
}

/** Codes that mean "the data is damaged or not there" rather than "could not run". */
const FOUND_CODES = new Set(["STORE_CORRUPTED", "STORE_HISTORY_GONE"]);

const HINTS: Readonly<Record<string, string>> = {
  STORE_LOCKED: "Read commands (stats, verify, get, scan, export, tail, backup, restore) work while it runs.",
  STORE_CORRUPTED: "`store verify DIR` lists all the damage; `store repair DIR` keeps every whole record (damaged files are kept aside).",
};

/**
 * Prints an error as one line on stderr, `store: CODE: message`, with no stack unless debugging,
 * and returns the exit code (see exit-codes.ts).
 */
export function reportError(io: Io, error: unknown): ExitCode {
  if (error instanceof UsageError) {
    err(io, `store: ${error.message} (see --help)`);
    return EXIT.usage;
  }
  if (isCoded(error)) {
    const hint = HINTS[error.code];
    err(io, `store: ${error.code}: ${error.message}${hint === undefined ? "" : ` ${hint}`}`);
    debugStack(io, error);
    return FOUND_CODES.has(error.code) ? EXIT.found : EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  err(io, `store: internal error: ${message}${io.env.debug ? "" : " (run with --debug or STORE_DEBUG=1 for the stack, and report it)"}`);
  debugStack(io, error);
  return EXIT.failed;
}

function debugStack(io: Io, error: unknown): void {
  if (io.env.debug && error instanceof Error && error.stack !== undefined) err(io, error.stack);
}
