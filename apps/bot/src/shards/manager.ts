import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { toKeyValueStore } from "@store/log";
import { serveStore, type RemoteServer } from "@store/remote";
import { ShardingManager } from "discord.js";
import type { Logger } from "pino";
import { ConfigError, type Config } from "../config.js";
import { openStorage } from "../storage.js";
import { routeConsole, type ConsoleRouter } from "./console-router.js";
import { isShardMessage, SHARD_ID_ENV } from "./protocol.js";
import { socketPathOf } from "./shard-storage.js";

/** The shard process's entry, beside this file in dist/. */
export const SHARD_FILE = fileURLToPath(new URL("./shard.js", import.meta.url));

export interface ManagerIo {
  readonly input: Readable;
  readonly output: Writable;
  readonly interactive: boolean;
}

/**
 * `--shards N`: this process owns the data folder (opened as in one-process mode: log, mirror,
 * scheduler, the game's expiry sweeps) and serves it on `<data folder>/store.sock`; N shard processes
 * run the handlers on it. Console mode: this process reads the input and routes each line to the
 * shard of its user. With DISCORD_TOKEN: discord.js's ShardingManager spawns the shards.
 * Resolves with the exit code once stopped: input ended, a signal (SIGINT/SIGTERM), or a failure.
 * The stop: stop reading, let every shard answer what it has in flight, stop the shards (SIGTERM:
 * each drains its own interactions), close the server, then the storage.
 */
export async function runManager(config: Config, logger: Logger, io: ManagerIo): Promise<number> {
  if (config.storeUrl !== undefined) throw new ConfigError("shards (--shards, BOT_SHARDS) need a data folder: with STORE_URL, run one bot process per shard on the database instead.");
  let fail: (error: unknown) => void = () => undefined;
  const storage = await openStorage(config, {
    onError: (source, error) => {
      logger.error({ err: error, source }, `${source} failed in the background`);
      if ((error as { code?: unknown }).code === "STORE_FAILED") fail(error);
    },
  });
  let server: RemoteServer;
  try {
    server = await serveStore(toKeyValueStore(storage.store!), { socketPath: socketPathOf(config), onClientError: (error, client) => { logger.warn({ err: error, client }, "a shard's connection was refused or cut"); } });
  } catch (error) {
    await storage.close();
    throw error;
  }
  process.stderr.write(`bot ${config.mode} mode with ${config.shards} shards: data ${config.dataDir}, served on ${socketPathOf(config)}\n`);
  const shards = config.mode === "discord" ? discordShards(config, logger) : consoleShards(config, logger, io);
  let stopping: Promise<number> | undefined;
  let stopped: (code: Promise<number>) => void = () => undefined;
  const result = new Promise<number>((resolve) => {
    stopped = resolve;
  });
  const stop = (exitCode: number): Promise<number> => {
    stopping ??= (async () => {
      let code = exitCode;
      const step = async (what: string, run: () => Promise<unknown>): Promise<void> => {
        try {
          await run();
        } catch (error) {
          logger.error({ err: error }, `stopping: ${what} failed`);
          code = code === 0 ? 1 : code;
        }
      };
      await step("the shards", async () => {
        if ((await shards.stop()) !== 0) code = code === 0 ? 1 : code;
      });
      await step("the socket server", () => server.close());
      await step("closing the storage", () => storage.close());
      return code;
    })();
    stopped(stopping);
    return stopping;
  };
  fail = (error) => {
    process.stderr.write(`bot: STOPPING: the store failed (${error instanceof Error ? error.message : String(error)}). Restart the bot: opening the store recovers exactly what was acknowledged.\n`);
    void stop(1);
  };
  onSignals(config, () => stop(0));
  void shards.done.then((code) => stop(code));
  return result;
}

interface Shards {
  /** Resolves with an exit code when the shards end on their own (input ended: 0; a shard failed: 1). */
  readonly done: Promise<number>;
  /** Stops reading, waits for the answers in flight, stops every shard; resolves with 0, or 1 if a shard failed. */
  stop(): Promise<number>;
}

/** The first SIGINT/SIGTERM stops (within shutdownGraceMs, or exit 1); a second one exits at once. */
function onSignals(config: Config, stop: () => Promise<number>): void {
  let signals = 0;
  const handle = (signal: NodeJS.Signals, number: number): void => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write(`bot: second ${signal}: exiting now.\n`);
      process.exit(128 + number);
    }
    setTimeout(() => {
      process.stderr.write(`bot: did not stop within ${config.shutdownGraceMs} ms (BOT_SHUTDOWN_GRACE_MS); exiting.\n`);
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    void stop();
  };
  process.on("SIGINT", () => { handle("SIGINT", 2); });
  process.on("SIGTERM", () => { handle("SIGTERM", 15); });
}

/** Sends SIGTERM (the shard drains its interactions, then exits) and resolves with its exit code. */
async function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, "exit") as Promise<[number | null]>;
  child.kill("SIGTERM");
  return (await exited)[0];
}

/** Console mode: N forked shards, fed lines over IPC by the router. */
function consoleShards(config: Config, logger: Logger, io: ManagerIo): Shards {
  let router: ConsoleRouter | undefined;
  let failed = false;
  let stopping = false;
  let ended: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    ended = resolve;
  });
  const children = Array.from({ length: config.shards }, (_, shard) => {
    // stdout is the conversation, printed by this process only; the shards' logs go to stderr.
    const child = fork(SHARD_FILE, [], { env: { ...process.env, [SHARD_ID_ENV]: String(shard) }, stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "json" });
    child.on("exit", (code, signal) => {
      if (stopping && code === 0) return;
      failed = true;
      logger.error({ shard, code, signal }, "a shard exited");
      process.stderr.write(`bot: shard ${shard} exited (${code ?? signal ?? "?"}); stopping.\n`);
      router?.shardGone(shard, `failed: shard ${shard} exited (${code ?? signal ?? "?"}).`);
      ended(1);
    });
    return child;
  });
  const ready = Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.on("message", (message: unknown) => {
            if (!isShardMessage(message)) return;
            if (message.type === "ready") resolve();
            else router?.answer(message.n, message.answer);
          });
          child.once("exit", (code) => { reject(new Error(`a shard exited (${code ?? "signal"}) before it was ready`)); });
        }),
    ),
  );
  void ready.then(
    () => {
      if (failed) return;
      router = routeConsole({
        input: io.input,
        output: io.output,
        interactive: io.interactive,
        json: config.consoleOutput === "json",
        concurrency: config.consoleConcurrency,
        shardCount: children.length,
        send: (shard, message) => {
          const child = children[shard];
          if (child?.connected !== true) router?.answer(message.n, { error: `failed: shard ${shard} is not running.` });
          else child.send(message);
        },
      });
      void router.finished.then(() => { ended(0); });
    },
    () => { ended(1); },
  );
  return {
    done,
    stop: async () => {
      router?.stopReading();
      await router?.finished;
      stopping = true;
      const codes = await Promise.all(children.map(stopChild));
      return failed || codes.some((code) => code !== 0) ? 1 : 0;
    },
  };
}

/**
 * With DISCORD_TOKEN: discord.js's ShardingManager spawns `config.shards` shard processes (each
 * logs in with the shard ids it is given) and respawns one that dies, until the stop.
 */
function discordShards(config: Config, logger: Logger): Shards {
  const manager = new ShardingManager(SHARD_FILE, { totalShards: config.shards, token: config.discordToken ?? "", mode: "process", respawn: true });
  manager.on("shardCreate", (shard) => {
    logger.info({ shard: shard.id }, "shard spawned");
  });
  let ended: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    ended = resolve;
  });
  manager.spawn().catch((error: unknown) => {
    logger.error({ err: error }, "the shards could not be spawned");
    process.stderr.write(`bot: could not spawn the shards: ${error instanceof Error ? error.message : String(error)}\n`);
    ended(1);
  });
  return {
    done,
    stop: async () => {
      manager.respawn = false; // a shard that exits now stays down
      const codes = await Promise.all([...manager.shards.values()].map(async (shard) => (shard.process === null ? 0 : stopChild(shard.process))));
      return codes.some((code) => code !== 0) ? 1 : 0;
    },
  };
}
