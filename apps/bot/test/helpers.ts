import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterEach } from "vitest";
import { startApp, type App, type AppOptions } from "../src/app.js";
import { loadConfig, type Config } from "../src/config.js";
import { consoleUser, parseLine } from "../src/console/parse.js";
import type { BotUser, Reply } from "../src/interaction.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh folder, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "store-bot-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The configuration from these environment variables only (none of the machine's). */
export function configFor(env: Record<string, string>): Config {
  return loadConfig(env, process.cwd());
}

/** A clock the test moves by hand. */
export class Clock {
  nowMs = Date.UTC(2026, 10, 1, 12);
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

export interface TestApp {
  readonly app: App;
  readonly clock: Clock;
  /** Runs one console line (`/give bob 10`) as `user` through the console's parser and the bot. */
  run(user: string, line: string): Promise<Reply>;
  /** Clicks a button as `user`. */
  click(user: string | BotUser, customId: string, id?: string): Promise<Reply>;
}

let interactionNumber = 0;

/** The bot in this process on a real folder, with a hand-moved clock and a silent logger; stopped after the test. */
export async function startTestApp(dir: string, env: Record<string, string> = {}, options: Partial<AppOptions> = {}): Promise<TestApp> {
  const clock = new Clock();
  const config = configFor({ BOT_DATA_DIR: dir, BOT_SWEEP_INTERVAL_MS: "0", ...env });
  const app = await startApp(config, { logger: pino({ level: "silent" }), now: clock.now, ...options });
  cleanups.push(async () => {
    await app.stop();
  });
  return {
    app,
    clock,
    run: async (user, line) => {
      const parsed = parseLine(line);
      if (parsed.kind !== "command") throw new Error(`Not a command line: ${line} (${JSON.stringify(parsed)})`);
      const id = parsed.id ?? `test-${process.pid}-${++interactionNumber}`;
      return app.bot.handleCommand({ id, user: consoleUser(user), channelId: "test", commandName: parsed.name, options: parsed.options });
    },
    click: (user, customId, id) =>
      app.bot.handleButton({ id: id ?? `test-${process.pid}-${++interactionNumber}`, user: typeof user === "string" ? consoleUser(user) : user, channelId: "test", customId }),
  };
}

/** The embed's text in one string (title, description, fields, footer), for assertions. */
export function text(reply: Reply): string {
  const { embed } = reply;
  return [embed.title, embed.description, ...(embed.fields ?? []).map((field) => `${field.name}: ${field.value}`), embed.footer?.text].filter((part) => part !== undefined).join("\n").replaceAll("**", "");
}

export const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export interface BotProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the next stdout line for which `match` holds (lines already seen count). */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  /** Resolves with the exit code, or the signal's name. */
  readonly exited: Promise<number | string>;
}

/** The console bot as a child process (`dist/main.js`: build first), with only these variables set (and these arguments). */
export function spawnBot(env: Record<string, string>, args: readonly string[] = []): BotProcess {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void; from: number }> = [];
  const lines: string[] = [];
  let partial = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    out += chunk;
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    for (const waiter of [...waiters]) {
      const found = lines.slice(waiter.from).find(waiter.match);
      if (found !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(found);
      }
    }
  });
  child.stderr.on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => { resolve(code ?? signal ?? "unknown"); });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForLine: (match) => {
      const found = lines.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve, from: 0 });
        void exited.then((code) => { reject(new Error(`The bot exited (${code}) before printing the line awaited.\nstdout:\n${out}\nstderr:\n${err}`)); });
      });
    },
    exited,
  };
}

/** Runs the console bot on a whole script (stdin closed at its end); resolves once it has exited. */
export async function runScript(env: Record<string, string>, script: string, args: readonly string[] = []): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const bot = spawnBot(env, args);
  bot.child.stdin.end(script);
  const code = await bot.exited;
  return { code, stdout: bot.stdout(), stderr: bot.stderr() };
}

/** The JSON lines a `BOT_CONSOLE_OUTPUT=json` run printed. */
export interface JsonAnswer {
  readonly n: number;
  readonly input: string;
  readonly user: string;
  readonly id?: string;
  readonly reply?: Reply;
  readonly error?: string;
}

export function jsonAnswers(stdout: string): JsonAnswer[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as JsonAnswer);
}
