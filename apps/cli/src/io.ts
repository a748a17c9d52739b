import type { Writable } from "node:stream";

/** Where a command writes, and what kind of place that is: tables on a terminal, plain and stable text in a pipe. */
export interface Io {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** stdout is a terminal: tables, colors off anyway. */
  readonly stdoutIsTty: boolean;
  /** stderr is a terminal: progress bars. */
  readonly stderrIsTty: boolean;
  /** Width of the terminal, for tables. */
  readonly columns: number;
  readonly env: { readonly debug: boolean };
  /** Ends when the user interrupts (Ctrl-C, SIGTERM): `tail --follow` stops there. */
  readonly interrupted: AbortSignal;
}

export function out(io: Io, text: string): void {
  io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function err(io: Io, text: string): void {
  io.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** A document as JSON on stdout: one line per document, so `--json` output pipes into `jq`. */
export function outJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}
