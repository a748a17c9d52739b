import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

/** The built CLI, run as users run it: `node dist/main.js` (the package's bin). */
export const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

const made: string[] = [];

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "store-cli-test-"));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `store ...args` to its end. */
export async function store(args: readonly string[], options: { env?: NodeJS.ProcessEnv; nodeArgs?: readonly string[] } = {}): Promise<Result> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}

/** `--json` output: one document. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the document's shape
export function json<T = Record<string, unknown>>(result: Result): T {
  return JSON.parse(result.stdout) as T;
}

/** A child's stdout lines, and a wait for a condition on them checked at each new line: no timers. */
export interface LineChild {
  readonly process: ChildProcess;
  readonly lines: string[];
  readonly stderr: string[];
  until(condition: () => boolean): Promise<void>;
  readonly exited: Promise<number | null>;
}

export function spawnLines(args: readonly string[], options: { stdin?: boolean } = {}): LineChild {
  const child = spawn(process.execPath, args, { stdio: [options.stdin === true ? "pipe" : "ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ condition: () => boolean; resolve: () => void }>();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const waiter of waiters) {
      if (!waiter.condition()) continue;
      waiters.delete(waiter);
      waiter.resolve();
    }
  });
  createInterface({ input: child.stderr! }).on("line", (line) => {
    stderr.push(line);
    for (const waiter of waiters) {
      if (!waiter.condition()) continue;
      waiters.delete(waiter);
      waiter.resolve();
    }
  });
  child.stdin?.on("error", () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    process: child,
    lines,
    stderr,
    exited,
    until: (condition) => {
      if (condition()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiters.add({ condition, resolve });
        void exited.then((code) => {
          if (!condition()) reject(new Error(`child exited (${String(code)}) first; stdout: ${lines.slice(-3).join(" | ")}; stderr: ${stderr.slice(-5).join(" | ")}`));
        });
      });
    },
  };
}

/** A writer process (fixtures/writer.ts) holding the folder's lock, driven line by line. */
export interface Writer {
  readonly child: LineChild;
  /** `count` sets one after the other; resolves with the last seq once acknowledged. */
  write(count: number): Promise<number>;
  /** `count` sets issued at once; resolves when all are acknowledged. */
  concurrent(count: number): Promise<void>;
  compact(): Promise<number>;
  acknowledged(): number[];
  exit(): Promise<void>;
}

export async function startWriter(dir: string, options: { segmentBytesMax?: number; backupsMax?: number; padBytes?: number } = {}): Promise<Writer> {
  const script = fileURLToPath(new URL("./fixtures/writer.ts", import.meta.url));
  const child = spawnLines(["--import", "tsx", script, dir, String(options.segmentBytesMax ?? 64 * 1024 * 1024), String(options.backupsMax ?? 3), String(options.padBytes ?? 100)], { stdin: true });
  await child.until(() => child.lines.some((line) => line.startsWith("open ")));
  const send = (line: string): void => {
    child.process.stdin!.write(`${line}\n`);
  };
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
      send(`write ${n}`);
      await child.until(() => acks().length >= target);
      return acks().at(-1)!;
    },
    concurrent: async (n) => {
      const before = count("done");
      send(`concurrent ${n}`);
      await child.until(() => count("done") > before);
    },
    compact: async () => {
      const before = count("compacted");
      send("compact");
      await child.until(() => count("compacted") > before);
      return compacted.at(-1)!;
    },
    acknowledged: () => [...acks()],
    exit: async () => {
      send("exit");
      child.process.stdin!.end();
      await child.exited;
    },
  };
}
