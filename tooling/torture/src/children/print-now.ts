import { writeSync } from "node:fs";

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes a line to stdout before returning, so the parent has it even if this process is SIGKILLed
 * right after. Not `process.stdout.write`: on a pipe it is asynchronous on POSIX, and when the
 * parent is slow to read, lines wait in this process's memory and die with it (a write would then
 * reach the disk without its `issue` line ever reaching the parent).
 */
export function printNow(line: string): void {
  const bytes = Buffer.from(`${line}\n`);
  for (let written = 0; written < bytes.length; ) {
    try {
      written += writeSync(1, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      Atomics.wait(pause, 0, 0, 1); // the pipe is full: give the parent a millisecond to read
    }
  }
}
