import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { createInterface } from "node:readline";
import ts from "typescript";
import { afterAll } from "vitest";

/**
 * Real child processes for tests (crashes by kill -9, writers beside readers, a CLI run as users run
 * it), in one place: every package's tests used to carry its own copy of these.
 */

/** A child's stdout (and stderr) lines, and waits on them checked at each new line: no timers. */
export interface LineChild {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Its stderr lines (empty when stderr is inherited). */
  readonly stderr: string[];
  /** Resolves once `condition` holds, checked at each line; rejects if the child ends first. */
  until(condition: () => boolean): Promise<void>;
  /** Resolves with the first stdout line (from the start) that satisfies `predicate`; rejects if the child ends first. */
  waitFor(predicate: (line: string) => boolean): Promise<string>;
  /** Writes one line to its stdin (spawned with `stdin: true`). */
  send(line: string): void;
  /** Its exit code once it has exited and its output is read (null if a signal ended it). */
  readonly exited: Promise<number | null>;
}

export interface SpawnLinesOptions {
  /** A pipe to its stdin for `send`; otherwise stdin is closed. */
  readonly stdin?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** "inherit" shows its stderr in the test's output instead of collecting it. Default "pipe". */
  readonly stderr?: "pipe" | "inherit";
}

export function spawnLines(command: string, args: readonly string[], options: SpawnLinesOptions = {}): LineChild {
  const stderrMode = options.stderr ?? "pipe";
  const child = spawn(command, [...args], { stdio: [options.stdin === true ? "pipe" : "ignore", "pipe", stderrMode], env: options.env ?? process.env });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ condition: () => boolean; resolve: () => void }>();
  const check = (): void => {
    for (const waiter of waiters) {
      if (!waiter.condition()) continue;
      waiters.delete(waiter);
      waiter.resolve();
    }
  };
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    check();
  });
  if (child.stderr !== null) {
    createInterface({ input: child.stderr }).on("line", (line) => {
      stderr.push(line);
      check();
    });
  }
  child.stdin?.on("error", () => undefined); // a child that exits before reading: the test sees its exit
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const until = (condition: () => boolean, what = "the condition held"): Promise<void> => {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      waiters.add({ condition, resolve });
      void exited.then((code) => {
        if (condition()) return;
        reject(new Error(`the child exited (${String(code)}) before ${what}; stdout: ${lines.slice(-5).join(" | ")}; stderr: ${stderr.slice(-5).join(" | ")}`));
      });
    });
  };
  return {
    process: child,
    lines,
    stderr,
    exited,
    until: (condition) => until(condition),
    waitFor: async (predicate) => {
      let seen = 0;
      let found: string | undefined;
      // Each line is tested once, in order, however many arrive between checks.
      const match = (): boolean => {
        for (; found === undefined && seen < lines.length; seen += 1) if (predicate(lines[seen]!)) found = lines[seen];
        return found !== undefined;
      };
      await until(match, "a matching line");
      return found!;
    },
    send: (line) => {
      if (child.stdin === null) throw new Error("assertion failed: spawnLines(..., { stdin: true }) to send lines");
      child.stdin.write(`${line}\n`);
    },
  };
}

/**
 * A package's TypeScript as JavaScript, for child processes where tsx is not a dependency (Node 20
 * runs no TypeScript): the `.ts` files under `folders` of `packageDir` (and `files`), transpiled
 * once, on first call, under the package's `node_modules/.cache`, so that the children resolve the
 * package's dependencies as its sources do. Removed after the test file. Returns the output folder,
 * in which `src/x.ts` is `src/x.js`.
 */
export function transpiledPackage(packageDir: string, folders: readonly string[], files: readonly string[] = []): () => Promise<string> {
  let built: Promise<string> | undefined;
  afterAll(async () => {
    if (built !== undefined) await rm(await built, { recursive: true, force: true });
  });
  return () => {
    built ??= (async () => {
      const out = join(packageDir, "node_modules", ".cache", `store-test-${process.pid}-${Math.random().toString(36).slice(2)}`);
      const listed = await Promise.all(folders.map((folder) => listTs(join(packageDir, folder))));
      for (const file of [...listed.flat(), ...files.map((path) => join(packageDir, path))]) {
        const source = await readFile(file, "utf8");
        const { outputText } = ts.transpileModule(source, { fileName: file, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 } });
        const target = join(out, relative(packageDir, file)).replace(/\.ts$/u, ".js");
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, outputText);
      }
      return out;
    })();
    return built;
  };
}

async function listTs(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith(".ts")).map((entry) => join(entry.parentPath, entry.name));
}

/**
 * A writer process driven line by line, for tests of tools that run beside a writer. Its fixture
 * reads "write N" (N sets one after the other), "concurrent N" (N sets at once, then "done"),
 * "compact" and "exit", and prints "open <seq>" once open, "ack <seq> <key>" per acknowledged set and
 * "compacted <seq>", each after what it reports.
 */
export interface DrivenWriter {
  readonly child: LineChild;
  /** `count` sets one after the other; resolves with the last one's seq once acknowledged. */
  write(count: number): Promise<number>;
  /** `count` sets issued at once; resolves when all are acknowledged. */
  concurrent(count: number): Promise<void>;
  compact(): Promise<number>;
  /** Acknowledged seqs so far, in order of acknowledgement. */
  acknowledged(): number[];
  exit(): Promise<void>;
}

/** Drives `child` (spawned with `stdin: true`) once it says "open". */
export async function driveWriter(child: LineChild): Promise<DrivenWriter> {
  await child.until(() => child.lines.some((line) => line.startsWith("open ")));
  // Counted as lines arrive (a big test reads 100,000 acknowledgements: no rescans).
  const acked: number[] = [];
  const compacted: number[] = [];
  let done = 0;
  let read = 0;
  const catchUp = (): void => {
    for (; read < child.lines.length; read += 1) {
      const [kind, seq] = child.lines[read]!.split(" ");
      if (kind === "ack") acked.push(Number(seq));
      else if (kind === "compacted") compacted.push(Number(seq));
      else if (kind === "done") done += 1;
    }
  };
  const acks = (): number[] => {
    catchUp();
    return acked;
  };
  const count = (kind: "done" | "compacted"): number => {
    catchUp();
    return kind === "done" ? done : compacted.length;
  };
  return {
    child,
    write: async (n) => {
      const target = acks().length + n;
      child.send(`write ${n}`);
      await child.until(() => acks().length >= target);
      return acks().at(-1)!;
    },
    concurrent: async (n) => {
      const before = count("done");
      child.send(`concurrent ${n}`);
      await child.until(() => count("done") > before);
    },
    compact: async () => {
      const before = count("compacted");
      child.send("compact");
      await child.until(() => count("compacted") > before);
      return compacted.at(-1)!;
    },
    acknowledged: () => [...acks()],
    exit: async () => {
      child.send("exit");
      child.process.stdin?.end();
      await child.exited;
    },
  };
}
