import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/** What the lock needs to know about processes; tests substitute their own. */
export interface ProcessProbe {
  readonly pid: number;
  readonly host: string;
  /**
   * The start time of process `pid` in clock ticks since boot: a number while it runs, `null` if it
   * runs but the start time cannot be read (not Linux), `undefined` if no such process exists.
   */
  startTicksOf(pid: number): number | null | undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
function readStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    return Number.isSafeInteger(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

export const nodeProcessProbe: ProcessProbe = {
  pid: process.pid,
  host: hostname(),
  startTicksOf(pid: number): number | null | undefined {
    if (!isRunning(pid)) return undefined;
    return readStartTicks(pid);
  },
};
