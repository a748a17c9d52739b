import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { App } from "../app.js";
import { answerLine, formatAnswer, type ConsoleAnswer } from "./execute.js";
import { helpText } from "./help.js";
import { parseLine, type ConsoleLine } from "./parse.js";

export interface ConsoleIo {
  readonly input: Readable;
  readonly output: Writable;
  /** A person at a terminal: a prompt and a greeting. Otherwise a script: each input is echoed before its answer. */
  readonly interactive: boolean;
}

/** The user before any /as. */
export const DEFAULT_USER = "you";

/**
 * The console transport: reads lines, runs them through the same handlers as Discord (as the user
 * chosen with /as), prints each answer. Lines are parsed in order (so /as applies to the lines after
 * it) and run `consoleConcurrency` at a time (1: strictly in order). Resolves once the input has
 * ended (or /quit) and every line has been answered; on a stop it stops reading, and lines not
 * started yet are refused by the bot.
 */
export function runConsole(app: App, io: ConsoleIo): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const json = app.config.consoleOutput === "json";
  let user = DEFAULT_USER;
  let lineNumber = 0;
  let interactionNumber = 0;
  const waiting: Array<() => void> = [];
  let running = 0;
  const tasks = new Set<Promise<void>>();
  const rl = createInterface({ input: io.input, terminal: io.interactive, ...(io.interactive ? { output: io.output } : {}) });
  let inputOpen = true;
  let stopped = false;

  const write = (text: string): void => {
    io.output.write(`${text}\n`);
  };
  const prompt = (): void => {
    if (io.interactive && inputOpen) {
      rl.setPrompt(`${user}> `);
      rl.prompt();
    }
  };
  const print = (n: number, input: string, as: string, result: ConsoleAnswer): void => {
    write(formatAnswer({ json, interactive: io.interactive }, n, input, as, result));
  };

  // A slot among consoleConcurrency; a stop releases every waiter at once (the bot refuses them).
  const acquire = (): Promise<void> => {
    if (running < app.config.consoleConcurrency || stopped) {
      running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(() => {
      running += 1;
      resolve();
    }));
  };
  const release = (): void => {
    running -= 1;
    waiting.shift()?.();
  };

  /** Every answer takes a slot in line order, so a script's output reads in the order of its lines (with concurrency 1). */
  const run = (answer: () => Promise<void> | void): void => {
    const task = (async () => {
      await acquire();
      try {
        await answer();
      } finally {
        release();
        prompt();
      }
    })();
    tasks.add(task);
    void task.finally(() => tasks.delete(task));
  };
  const runInteraction = (n: number, input: string, parsed: ConsoleLine & { kind: "command" | "button" }): void => {
    const as = user;
    run(async () => {
      print(n, input, as, await answerLine(app, parsed, as, parsed.id ?? `console-${runId}-${++interactionNumber}`));
    });
  };

  const finished = new Promise<void>((resolve) => {
    rl.on("close", () => {
      inputOpen = false;
      void (async () => {
        while (tasks.size > 0) await Promise.allSettled([...tasks]);
        resolve();
      })();
    });
  });

  rl.on("line", (text) => {
    if (!inputOpen) return;
    const n = ++lineNumber;
    const input = text.trim();
    const parsed = parseLine(input);
    switch (parsed.kind) {
      case "empty":
        prompt();
        return;
      case "as":
        user = parsed.name;
        if (io.interactive) write(`You are now ${user}.`);
        prompt();
        return;
      case "help":
        run(() => {
          write(helpText());
        });
        return;
      case "quit":
        rl.close();
        return;
      case "invalid": {
        const as = user;
        run(() => {
          print(n, input, as, { error: parsed.message });
        });
        return;
      }
      default:
        runInteraction(n, input, parsed);
    }
  });

  // At a terminal, readline takes Ctrl-C for itself; pass it on as the signal that stops the bot.
  rl.on("SIGINT", () => {
    process.kill(process.pid, "SIGINT");
  });
  app.onStopping(async () => {
    stopped = true;
    for (const wake of waiting.splice(0)) wake();
    rl.close();
    await finished;
  });
  if (io.interactive) write(`Console mode (no DISCORD_TOKEN): you are "${user}". Type /help for the commands, /as NAME to be someone else.`);
  prompt();
  return finished;
}
