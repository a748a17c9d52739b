import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { DEFAULT_USER } from "../console/console.js";
import { formatAnswer, type ConsoleAnswer } from "../console/execute.js";
import { helpText } from "../console/help.js";
import { parseLine } from "../console/parse.js";
import type { LineMessage } from "./protocol.js";
import { shardFor } from "./route.js";

export interface RouterOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** A person at a terminal: no echo of the input before each answer (there is no prompt in sharded mode). */
  readonly interactive: boolean;
  readonly json: boolean;
  /** Lines in flight at once over all shards; 1 runs a script strictly in order, as one process does. */
  readonly concurrency: number;
  readonly shardCount: number;
  readonly send: (shard: number, message: LineMessage) => void;
}

export interface ConsoleRouter {
  /** A shard's answer to line `n`. */
  answer(n: number, answer: ConsoleAnswer): void;
  /** A shard is gone: each of its lines in flight is answered with this error. */
  shardGone(shard: number, error: string): void;
  /** Stops reading; lines read and not yet sent are answered by the shards (which refuse them if stopping). */
  stopReading(): void;
  /** Resolves once the input has ended (or /quit, or stopReading) and every line read has been answered and printed. */
  readonly finished: Promise<void>;
}

/**
 * The sharded console: the manager reads the lines, keeps `/as` (the current user) itself, sends each
 * command to the shard of its user (`shardFor`), and prints the answers in input order, whatever
 * order the shards answer in.
 */
export function routeConsole(options: RouterOptions): ConsoleRouter {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const rl = createInterface({ input: options.input, terminal: false });
  const outputs: Array<{ text: string | undefined }> = []; // in input order; printed from the front once known
  const inFlight = new Map<number, { shard: number; slot: { text: string | undefined }; print: (answer: ConsoleAnswer) => string }>();
  const queued: Array<() => void> = [];
  let running = 0;
  let user = DEFAULT_USER;
  let lineNumber = 0;
  let interactionNumber = 0;
  let inputOpen = true;
  let settle: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    settle = resolve;
  });

  const flush = (): void => {
    while (outputs[0]?.text !== undefined) options.output.write(`${outputs.shift()?.text ?? ""}\n`);
    if (!inputOpen && outputs.length === 0 && queued.length === 0 && inFlight.size === 0) settle();
  };
  const slot = (text?: string): { text: string | undefined } => {
    const made = { text };
    outputs.push(made);
    return made;
  };
  const next = (): void => {
    while (running < options.concurrency && queued.length > 0) queued.shift()?.();
  };

  rl.on("line", (text) => {
    if (!inputOpen) return;
    const n = ++lineNumber;
    const input = text.trim();
    const parsed = parseLine(input);
    const as = user;
    switch (parsed.kind) {
      case "empty":
        return;
      case "as":
        user = parsed.name;
        if (options.interactive) slot(`You are now ${user}.`);
        break;
      case "help":
        slot(helpText());
        break;
      case "quit":
        rl.close();
        return;
      case "invalid":
        slot(formatAnswer(options, n, input, as, { error: parsed.message }));
        break;
      default: {
        const waiting = slot();
        const id = parsed.id ?? `console-${runId}-${++interactionNumber}`;
        queued.push(() => {
          running += 1;
          const shard = shardFor(as, options.shardCount);
          inFlight.set(n, { shard, slot: waiting, print: (answer) => formatAnswer(options, n, input, as, answer) });
          options.send(shard, { type: "line", n, id, user: as, input });
        });
        next();
      }
    }
    flush();
  });
  rl.on("close", () => {
    inputOpen = false;
    flush();
  });

  const answer = (n: number, result: ConsoleAnswer): void => {
    const line = inFlight.get(n);
    if (line === undefined) return;
    inFlight.delete(n);
    running -= 1;
    line.slot.text = line.print(result);
    next();
    flush();
  };
  return {
    answer,
    shardGone: (shard, error) => {
      for (const [n, line] of [...inFlight]) if (line.shard === shard) answer(n, { error });
    },
    stopReading: () => {
      rl.close();
    },
    finished,
  };
}
