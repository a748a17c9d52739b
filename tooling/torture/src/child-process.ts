import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The package folder: children run from it so that `--import tsx` resolves. */
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
/** How long a child may take to say what the parent waits for before it counts as hung. */
export const CHILD_WAIT_MS = 300_000;

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Resolves with the first line matching `predicate` (rejects if the child ends first or after CHILD_WAIT_MS). */
  waitFor(predicate: (line: string) => boolean, what: string): Promise<string>;
  /** Resolves once the child has exited and all its output is read, with its exit code or signal. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, unless it has already ended. */
  kill(): void;
}

/** Runs `src/children/<name>.ts` in a real node process (through tsx), collecting its stdout lines. */
export function runChild(name: string, args: readonly string[]): Child {
  const script = fileURLToPath(new URL(`./children/${name}.ts`, import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: PACKAGE_DIR, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ predicate: (line: string) => boolean; resolve: (line: string) => void }>();
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const reader = createInterface({ input: child.stdout });
  reader.on("line", (line) => {
    lines.push(line);
    for (const waiter of waiters) {
      if (!waiter.predicate(line)) continue;
      waiters.delete(waiter);
      waiter.resolve(line);
    }
  });
  const outputClosed = new Promise<void>((resolve) => reader.on("close", resolve));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => {
      resolve({ code, signal });
    });
  });
  const ended = Promise.all([exited, outputClosed]).then(([status]) => status);
  let done = false;
  void ended.then(() => {
    done = true;
  });
  return {
    process: child,
    pid: child.pid ?? -1,
    lines,
    ended,
    kill: () => {
      if (!done) child.kill("SIGKILL");
    },
    waitFor: (predicate, what) => {
      const found = lines.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve };
        waiters.add(waiter);
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`child ${name} (pid ${String(child.pid)}) did not say ${what} within ${CHILD_WAIT_MS} ms; last output: ${lines.slice(-3).join(" | ")} ${stderr.join("").slice(-500)}`));
        }, CHILD_WAIT_MS);
        void ended.then(() => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`child ${name} ended before saying ${what}; last output: ${lines.slice(-3).join(" | ")} ${stderr.join("").slice(-500)}`));
        });
        const original = waiter.resolve;
        waiter.resolve = (line) => {
          clearTimeout(timer);
          original(line);
        };
      });
    },
  };
}
