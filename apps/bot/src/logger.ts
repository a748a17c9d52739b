import { pino, type Logger } from "pino";
import type { Config } from "./config.js";

/**
 * Structured JSON logs. In console mode stdout is the conversation, so logs go to stderr (and only
 * warnings by default); with Discord they go to stdout, where log collectors expect them.
 * Synchronous writes: the last lines before an exit (a failed store) must not be lost in a buffer.
 */
export function createLogger(config: Pick<Config, "mode" | "logLevel">): Logger {
  return pino({ level: config.logLevel, base: { app: "store-bot" } }, pino.destination({ dest: config.mode === "console" ? 2 : 1, sync: true }));
}
