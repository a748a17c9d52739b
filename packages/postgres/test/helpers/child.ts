import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll } from "vitest";

const PACKAGE = fileURLToPath(new URL("../..", import.meta.url));
let built: Promise<string> | undefined;

/**
 * This package's sources and test fixtures as JavaScript, for child processes (Node 20 runs no
 * TypeScript, and the package's own dist may be mid-build while tests run). Transpiled once per
 * test file under node_modules, so the children resolve `pg` and `@store/game` as the sources do.
 */
function transpiled(): Promise<string> {
  built ??= (async () => {
    const out = join(PACKAGE, "node_modules", ".cache", `store-postgres-test-${process.pid}`);
    const files = [...(await listTs(join(PACKAGE, "src"))), ...(await listTs(join(PACKAGE, "test", "fixtures")))];
    for (const file of files) {
      const source = await readFile(file, "utf8");
      const { outputText } = ts.transpileModule(source, { fileName: file, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 } });
      const target = join(out, relative(PACKAGE, file)).replace(/\.ts$/u, ".js");
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, outputText);
    }
    return out;
  })();
  return built;
}

afterAll(async () => {
  if (built !== undefined) await rm(await built, { recursive: true, force: true });
});

async function listTs(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith(".ts")).map((entry) => join(entry.parentPath, entry.name));
}

export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line that satisfies `predicate`; rejects if the child's output ends first. */
  waitFor(predicate: (line: string) => boolean): Promise<string>;
  /** Writes one line to the child's stdin. */
  send(line: string): void;
  readonly exited: Promise<number | null>;
}

/** Runs `test/fixtures/<name>.ts` in a real child process, collecting its stdout lines. */
export async function runFixture(name: string, args: readonly string[]): Promise<Child> {
  const script = join(await transpiled(), "test", "fixtures", `${name}.js`);
  const child = spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const lines: string[] = [];
  const waiters: Array<{ predicate: (line: string) => boolean; resolve: (line: string) => void }> = [];
  const reader = createInterface({ input: child.stdout });
  const ended = new Promise<void>((resolve) => reader.on("close", resolve));
  reader.on("line", (line) => {
    lines.push(line);
    for (const waiter of waiters.splice(0)) {
      if (waiter.predicate(line)) waiter.resolve(line);
      else waiters.push(waiter);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => {
    resolve(code);
  }));
  child.stdin.on("error", () => undefined);
  return {
    process: child,
    lines,
    exited,
    send: (line) => {
      child.stdin.write(`${line}\n`);
    },
    waitFor: (predicate) => {
      const found = lines.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void ended.then(() => {
          reject(new Error(`the child's output ended before a matching line; its last lines: ${lines.slice(-5).join(" | ")}`));
        });
      });
    },
  };
}
