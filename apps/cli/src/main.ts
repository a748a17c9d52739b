#!/usr/bin/env node
import { readEnv } from "./env.js";
import { EXIT } from "./exit-codes.js";
import type { Io } from "./io.js";
import { run } from "./program.js";

// Ctrl-C or SIGTERM ends `tail --follow` cleanly (exit 0); a second one exits at once.
const interrupt = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    interrupt.abort();
    process.once(signal, () => process.exit(130));
  });
}

// A reader that went away (`store scan DIR | head`) is not an error: stop quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(EXIT.ok);
  throw error;
});

let env;
try {
  env = readEnv();
} catch (error) {
  process.stderr.write(`store: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT.usage);
}
const io: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdoutIsTty: process.stdout.isTTY,
  stderrIsTty: process.stderr.isTTY,
  columns: process.stdout.columns || 100,
  env,
  interrupted: interrupt.signal,
};
void run(process.argv, io).then((code) => {
  process.exitCode = code;
});
