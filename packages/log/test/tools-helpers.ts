import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** A child's stdout lines, and a wait for a condition on them, checked at each new line (no timers). */
export interface LineChild {
  readonly process: ChildProcess;
  readonly lines: string[];
  until(condition: () => boolean): Promise<void>;
  readonly exited: Promise<number | null>;
}

export function spawnLines(command: string, args: readonly string[], options: { stdin?: boolean } = {}): LineChild {
  const child = spawn(command, args, { stdio: [options.stdin === true ? "pipe" : "ignore", "pipe", "pipe"] });
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
  createInterface({ input: child.stderr! }).on("line", (line) => {
    stderr.push(line);
  });
  child.stdin?.on("error", () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => { resolve(code); }));
  return {
    process: child,
    lines,
    exited,
    until: (condition) => {
      if (condition()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiters.add({ condition, resolve });
        void exited.then((code) => {
          if (!condition()) reject(new Error(`child exited (${code}) first; stdout: ${lines.slice(-3).join(" | ")}; stderr: ${stderr.slice(-5).join(" | ")}`));
        });
      });
    },
  };
}

/** A driven-writer child (fixtures/driven-writer.ts) and its acknowledgements. */
export interface DrivenWriter {
  readonly child: LineChild;
  /** `count` sets one after the other; resolves with the last one's seq once acknowledged. */
  write(count: number): Promise<number>;
  concurrent(count: number): Promise<void>;
  compact(): Promise<number>;
  /** Acknowledged seqs so far, in order of acknowledgement. */
  acknowledged(): number[];
  exit(): Promise<void>;
}

export async function startWriter(dir: string, options: { segmentBytesMax?: number; backupsMax?: number } = {}): Promise<DrivenWriter> {
  const script = fileURLToPath(new URL("./fixtures/driven-writer.ts", import.meta.url));
  const args = ["--import", "tsx", script, dir, String(options.segmentBytesMax ?? 64 * 1024 * 1024), String(options.backupsMax ?? 3)];
  const child = spawnLines(process.execPath, args, { stdin: true });
  await child.until(() => child.lines.some((line) => line.startsWith("open ")));
  const send = (line: string): void => {
    child.process.stdin!.write(`${line}\n`);
  };
  const acks = (): number[] => child.lines.filter((line) => line.startsWith("ack ")).map((line) => Number(line.split(" ")[1]));
  return {
    child,
    write: async (count) => {
      const target = acks().length + count;
      send(`write ${count}`);
      await child.until(() => acks().length >= target);
      return acks().at(-1)!;
    },
    concurrent: async (count) => {
      const done = child.lines.filter((line) => line === "done").length;
      send(`concurrent ${count}`);
      await child.until(() => child.lines.filter((line) => line === "done").length > done);
    },
    compact: async () => {
      const done = child.lines.filter((line) => line.startsWith("compacted ")).length;
      send("compact");
      await child.until(() => child.lines.filter((entry) => entry.startsWith("compacted ")).length > done);
      return Number(child.lines.filter((entry) => entry.startsWith("compacted ")).at(-1)!.split(" ")[1]);
    },
    acknowledged: acks,
    exit: async () => {
      send("exit");
      child.process.stdin!.end();
      await child.exited;
    },
  };
}
