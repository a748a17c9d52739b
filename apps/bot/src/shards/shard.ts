import { startApp, type App } from "../app.js";
import { loadConfig } from "../config.js";
import { answerLine } from "../console/execute.js";
import { parseLine } from "../console/parse.js";
import { runDiscord } from "../discord/client.js";
import { createLogger } from "../logger.js";
import { isLineMessage, SHARD_ID_ENV, type ShardMessage } from "./protocol.js";
import { openShardStorage } from "./shard-storage.js";

// A shard process (`dist/shards/shard.js`), started by the manager (src/shards/manager.ts): the game on
// the manager's store through its socket, the same handlers. In console mode it answers the lines the
// manager sends over IPC; with DISCORD_TOKEN discord.js's ShardingManager started it, and the client
// takes its shard ids from the environment the manager set (SHARDS, SHARD_COUNT).
// It stops on SIGTERM (the manager's way) or when the manager is gone, never on SIGINT: a Ctrl-C at a
// terminal reaches every process of the group, and the manager decides when the shards stop.

function send(message: ShardMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = { ...loadConfig(), metricsPort: undefined }; // one endpoint per port: the shards serve none
  const name = `shard-${process.env[SHARD_ID_ENV] ?? process.env.SHARDS ?? String(process.pid)}`;
  const logger = createLogger(config).child({ shard: name });
  const exit = (code: number): void => {
    process.exitCode = code;
    if (process.connected) process.disconnect();
    process.stdout.write("", () => process.exit(code));
  };
  const app: App = await startApp(config, { logger, onStopped: exit, openStorage: (options, hooks) => openShardStorage(options, hooks, name) });
  const stop = (): void => {
    void app.stop(0).then(exit);
  };
  process.on("SIGINT", () => undefined);
  process.on("SIGTERM", stop);
  process.on("disconnect", stop);
  if (config.mode === "discord") {
    await runDiscord(app, config.discordToken ?? "");
    return;
  }
  process.on("message", (message: unknown) => {
    if (!isLineMessage(message)) return;
    const parsed = parseLine(message.input);
    const run = async (): Promise<ShardMessage> => {
      if (parsed.kind !== "command" && parsed.kind !== "button") return { type: "answer", n: message.n, answer: { error: `A shard runs commands only, got ${JSON.stringify(message.input.slice(0, 40))}.` } };
      return { type: "answer", n: message.n, answer: await answerLine(app, parsed, message.user, message.id) };
    };
    void run().then(send);
  });
  send({ type: "ready" });
}

main().catch((error: unknown) => {
  process.stderr.write(`bot shard: could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
