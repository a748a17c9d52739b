import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line that satisfies `predicate`. */
  waitFor(predicate: (line: string) => boolean): Promise<string>;
  readonly exited: Promise<void>;
}

/** Runs a TypeScript fixture in a real child process (through tsx), collecting its stdout lines. */
export function runFixture(name: string, args: readonly string[]): Child {
  const script = fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  const waiters: Array<{ predicate: (line: string) => boolean; resolve: (line: string) => void }> = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    for (const waiter of waiters.splice(0)) {
      if (waiter.predicate(line)) waiter.resolve(line);
      else waiters.push(waiter);
    }
  });
  const exited = new Promise<void>((resolve) => {
    child.on("exit", () => {
      resolve();
    });
  });
  return {
    process: child,
    lines,
    exited,
    waitFor: (predicate) => {
      const found = lines.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then(() => {
          setTimeout(() => {
            reject(new Error(`child exited before a matching line; output: ${lines.slice(-5).join(" | ")}`));
          }, 50);
        });
      });
    },
  };
}
