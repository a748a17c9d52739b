// A load through @store/remote's socket from several processes: a server process that owns the
// data folder and client processes that each run players, all steered by lines on stdin/stdout.
// The game suite's socket row uses it, and so does `pnpm --filter @store/remote bench`, which imports
// this file by its path: @store/bench depends on @store/remote, so a package dependency the other
// way would be a cycle that turbo refuses. Node built-ins only, so that either side can load it.
//
// The lines: a server prints "listening" once it serves; a client prints "ready" once connected (and
// warmed up, if it warms up: then it sits idle until all are), then, on "go <argument>", runs and
// prints "result <JSON>" with at least a ClientResult.
import { spawn, type ChildProcess } from "node:child_process";
import { writeSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface ClientResult {
  /** From "go" to the client's last answer, by the client's clock. */
  readonly elapsedMs: number;
  /** The client process's CPU time meanwhile. */
  readonly cpuMs: number;
  /** One latency per operation, ms. */
  readonly latencies: readonly number[];
}

/** A child process whose stdout lines can be waited for. */
export class LineChild {
  readonly process: ChildProcess;
  readonly #lines: string[] = [];
  #waiters: Array<() => void> = [];
  #ended = false;
  /** The end of what the child wrote to stderr (passed on to ours as it comes), for a failure's message. */
  #stderrTail = "";

  constructor(child: ChildProcess) {
    this.process = child;
    child.stderr?.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.#stderrTail = (this.#stderrTail + chunk.toString("utf8")).slice(-4_096);
    });
    const wake = (): void => {
      for (const resolve of this.#waiters.splice(0)) resolve();
    };
    const stdout = child.stdout;
    if (stdout === null) throw new TypeError("a LineChild needs the child's stdout piped");
    const reader = createInterface({ input: stdout });
    reader.on("line", (text) => {
      this.#lines.push(text);
      wake();
    });
    reader.on("close", () => {
      this.#ended = true;
      wake();
    });
  }

  /** The first line of the child's output starting with `prefix` (earlier lines included). */
  async line(prefix: string): Promise<string> {
    for (;;) {
      const index = this.#lines.findIndex((text) => text.startsWith(prefix));
      // Taken out, so that the same request made again waits for the next answer.
      if (index >= 0) return this.#lines.splice(index, 1)[0]!;
      if (this.#ended) throw new Error(`the child ${String(this.process.pid)} ended before a line starting with "${prefix}"${this.#cause()}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** The error the child printed last (an uncaught one's first line), if any. */
  #cause(): string {
    const error = this.#stderrTail.split("\n").findLast((text) => /^\w*Error\b/.test(text));
    return error === undefined ? "" : `: ${error.slice(0, 300)}`;
  }

  /** Sends a line and waits for the answer that starts with `prefix`. */
  async ask(text: string, prefix: string): Promise<string> {
    const answer = this.line(prefix);
    this.send(text);
    return answer;
  }

  send(text: string): void {
    this.process.stdin?.write(`${text}\n`);
  }
}

/**
 * Writes one line to stdout whole, for a client's answers. `writeSync` to a pipe takes what fits
 * (64 KiB) and reports how much, or fails with EAGAIN while the pipe is full: a result with every
 * latency of a 10 s run is larger than that, and a single call cut it short. The parent reads all
 * the time, so the wait is short.
 */
export function writeLineSync(text: string): void {
  const bytes = Buffer.from(`${text}\n`, "utf8");
  for (let offset = 0; offset < bytes.length; ) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
    }
  }
}

/** Children this process started; killed if it exits first, so a failed run leaves none behind. */
const running = new Set<ChildProcess>();
let reaperInstalled = false;

/**
 * Node's flags to run a TypeScript script: tsx's loader, found from here (not from the working
 * folder, and not from this process's flags, which under vitest do not include it).
 */
export function typeScriptFlags(): string[] {
  return ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href];
}

/** Starts `script` (a path or file URL) in a new Node process with `nodeArgs`, its stderr passed on to this process's. */
export function startScript(script: string | URL, args: readonly string[], nodeArgs: readonly string[] = typeScriptFlags()): LineChild {
  if (!reaperInstalled) {
    reaperInstalled = true;
    process.on("exit", () => {
      for (const child of running) child.kill("SIGKILL");
    });
  }
  const path = typeof script === "string" ? script : fileURLToPath(script);
  const child = spawn(process.execPath, [...nodeArgs, path, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  child.on("exit", () => running.delete(child));
  return new LineChild(child);
}

/**
 * Waits for every client's "ready", then for `whenReady` (say, to read the server's counters once
 * the connections are made), sends each "go <argument>" at once, and collects their results.
 * `argument`: the same for every client, or each client's own by its index in `clients`.
 */
export async function runClients<Result extends ClientResult>(
  clients: readonly LineChild[],
  argument: string | ((client: number) => string),
  whenReady: () => Promise<void> = async () => undefined,
): Promise<Result[]> {
  await Promise.all(clients.map((client) => client.line("ready")));
  await whenReady();
  const results = clients.map((client) => client.line("result "));
  const argumentOf = typeof argument === "string" ? () => argument : argument;
  for (const [index, client] of clients.entries()) client.send(`go ${argumentOf(index)}`);
  return (await Promise.all(results)).map((text) => JSON.parse(text.slice("result ".length)) as Result);
}

/** Every client's latencies as one list, and the run's elapsed time: the longest client's. */
export function combine(results: readonly ClientResult[]): { readonly latencies: number[]; readonly elapsedMs: number; readonly cpuMs: number } {
  return {
    latencies: results.flatMap((result) => result.latencies),
    elapsedMs: Math.max(...results.map((result) => result.elapsedMs)),
    cpuMs: results.reduce((sum, result) => sum + result.cpuMs, 0),
  };
}
