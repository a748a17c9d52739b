import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

const running = new Set<ChildProcess>();

// A test that fails half-way must not leave its children running (a server would hold its socket).
afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
});

export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line (from the start) that satisfies `predicate`; rejects if the output ends first. */
  waitFor(predicate: (line: string) => boolean): Promise<string>;
  /** Resolves once `count` lines satisfy `predicate`. */
  waitForCount(predicate: (line: string) => boolean, count: number): Promise<void>;
  /** Writes a line to the child's stdin. */
  tell(line: string): void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `test/fixtures/<name>.ts` (through tsx) in a real child process, collecting its stdout lines. */
export function runFixture(name: string, args: readonly string[]): Child {
  const script = fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  running.add(child);
  const lines: string[] = [];
  let ended = false;
  let waiters: Array<() => void> = [];
  const wake = (): void => {
    const waiting = waiters;
    waiters = [];
    for (const resolve of waiting) resolve();
  };
  const reader = createInterface({ input: child.stdout });
  reader.on("line", (line) => {
    lines.push(line);
    wake();
  });
  reader.on("close", () => {
    ended = true;
    wake();
  });
  child.stdin.on("error", () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const waitUntil = async (done: () => boolean, what: string): Promise<void> => {
    while (!done()) {
      if (ended) throw new Error(`${name}: the output ended before ${what}; its last lines: ${lines.slice(-5).join(" | ")}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    process: child,
    lines,
    exited,
    waitFor: async (predicate) => {
      await waitUntil(() => lines.some(predicate), "a matching line");
      return lines.find(predicate)!;
    },
    waitForCount: (predicate, count) => waitUntil(() => lines.filter(predicate).length >= count, `${count} matching lines`),
    tell: (line) => {
      child.stdin.write(`${line}\n`);
    },
  };
}
