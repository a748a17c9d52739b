import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { driveWriter, spawnLines as spawnChildLines, type DrivenWriter, type LineChild } from "@store/testkit/children";
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

/** `node <args>` as a child whose lines the test waits on (the CLI's `tail -f`, a writer beside it). */
export function spawnLines(args: readonly string[], options: { stdin?: boolean } = {}): LineChild {
  return spawnChildLines(process.execPath, args, options);
}

export type Writer = DrivenWriter;

/** A writer process (fixtures/writer.ts, a bot stand-in) holding the folder's lock, driven line by line. */
export async function startWriter(dir: string, options: { segmentBytesMax?: number; backupsMax?: number; padBytes?: number } = {}): Promise<Writer> {
  const script = fileURLToPath(new URL("./fixtures/writer.ts", import.meta.url));
  const args = ["--import", "tsx", script, dir, String(options.segmentBytesMax ?? 64 * 1024 * 1024), String(options.backupsMax ?? 3), String(options.padBytes ?? 100)];
  return driveWriter(spawnLines(args, { stdin: true }));
}
