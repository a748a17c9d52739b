import { startApp, type App } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { runConsole } from "./console/console.js";
import { runDiscord } from "./discord/client.js";
import { createLogger } from "./logger.js";
import { withShardsArgument } from "./shards/args.js";
import { runManager } from "./shards/manager.js";
import { LegacyImportError } from "./storage.js";

// `pnpm start`: with DISCORD_TOKEN the Discord bot, without it the console on ./data.
// `pnpm start --shards N` (BOT_SHARDS): a manager process and N shard processes (src/shards/).
// Exit codes: 0 stopped cleanly; 1 failed (store failed, could not start, could not close);
// 2 bad configuration; 128 + n: a second signal n ended it at once.

/** Writes everything still buffered on stdout (a pipe is asynchronous), then exits. */
function exit(code: number): void {
  process.stdout.write("", () => process.exit(code));
}

function startupProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (error instanceof ConfigError || error instanceof LegacyImportError) return error.message;
  if (code === "STORE_LOCKED") return `Another process holds the data folder: ${(error as Error).message}`;
  if (code === "STORE_CORRUPTED") return `The data folder is damaged: ${(error as Error).message}`;
  return `Could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

function onSignals(app: App): void {
  let signals = 0;
  const handle = (signal: NodeJS.Signals, number: number): void => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write(`bot: second ${signal}: exiting now.\n`);
      process.exit(128 + number);
    }
    app.logger.info({ signal }, `${signal}: stopping`);
    // A stop that hangs (a disk that no longer answers) must not hang the host's restart.
    setTimeout(() => {
      process.stderr.write(`bot: did not stop within ${app.config.shutdownGraceMs} ms (BOT_SHUTDOWN_GRACE_MS); exiting.\n`);
      process.exit(1);
    }, app.config.shutdownGraceMs).unref();
    void app.stop(0).then(exit);
  };
  process.on("SIGINT", () => { handle("SIGINT", 2); });
  process.on("SIGTERM", () => { handle("SIGTERM", 15); });
}

async function main(): Promise<void> {
  let app: App;
  try {
    const config = loadConfig(withShardsArgument(process.env, process.argv.slice(2)));
    if (config.shards > 0) {
      exit(await runManager(config, createLogger(config), { input: process.stdin, output: process.stdout, interactive: process.stdin.isTTY && process.stdout.isTTY }));
      return;
    }
    app = await startApp(config, { logger: createLogger(config), onStopped: exit });
  } catch (error) {
    process.stderr.write(`bot: ${startupProblem(error)}\n`);
    exit(error instanceof ConfigError ? 2 : 1);
    return;
  }
  onSignals(app);
  const { config } = app;
  if (config.mode === "discord") {
    try {
      await runDiscord(app, config.discordToken ?? "");
    } catch (error) {
      process.stderr.write(`bot: could not log in to Discord: ${error instanceof Error ? error.message : String(error)}\n`);
      exit(Math.max(1, await app.stop(1)));
    }
    return;
  }
  process.stderr.write(`${app.healthLine}\n`);
  await runConsole(app, { input: process.stdin, output: process.stdout, interactive: process.stdin.isTTY && process.stdout.isTTY });
  exit(await app.stop(0));
}

void main();
