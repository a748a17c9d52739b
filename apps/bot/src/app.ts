import type { FileSystem } from "@store/fs";
import type { Logger } from "pino";
import { Bot } from "./bot.js";
import type { Config } from "./config.js";
import { createMetrics, serveMetrics, type MetricsServer } from "./metrics.js";
import { createRandom, type Random } from "./random.js";
import { openStorage, type Storage, type StorageHooks } from "./storage.js";

export interface AppOptions {
  readonly logger: Logger;
  /** The game layer's clock. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
  readonly fs?: FileSystem | undefined;
  /** Where outcomes come from. Default: `BOT_RANDOM_SEED`'s, or the operating system's randomness. */
  readonly random?: Random | undefined;
  /** Opens the storage instead of `openStorage` (a shard process: the game on the manager's socket). */
  readonly openStorage?: ((config: Config, hooks: StorageHooks) => Promise<Storage>) | undefined;
  /** Told when the bot stops on its own (a failed store), with the exit code it should end with. */
  readonly onStopped?: ((exitCode: number) => void) | undefined;
}

/** The running bot, whatever its transport. */
export interface App {
  readonly config: Config;
  readonly storage: Storage;
  readonly bot: Bot;
  readonly logger: Logger;
  /** Where `/metrics` is served, if it is. */
  readonly metricsPort: number | undefined;
  /** One line that says what started: data folder, what recovery found, keys, endpoints. */
  readonly healthLine: string;
  /** Runs first when the bot stops: a transport stops taking input here (closes the console's input). */
  onStopping(hook: () => Promise<void> | void): void;
  /** Runs once every interaction in flight is answered: a transport closes here (leaves Discord). */
  onDrained(hook: () => Promise<void> | void): void;
  /**
   * Stops: no new interactions (they are refused), waits for those in flight, then the transports'
   * hooks, the metrics endpoint, the game layer, scheduler, mirror and store. Resolves with the exit
   * code (`exitCode`, or 1 if closing failed). Idempotent: later calls get the first one's result.
   */
  stop(exitCode?: number): Promise<number>;
}

export async function startApp(config: Config, options: AppOptions): Promise<App> {
  const { logger } = options;
  let fail: (error: unknown) => void = () => undefined;
  const storage = await (options.openStorage ?? openStorage)(config, {
    now: options.now,
    fs: options.fs,
    onError: (source, error) => {
      logger.error({ err: error, source }, `${source} failed in the background`);
      if ((error as { code?: unknown }).code === "STORE_FAILED") fail(error);
    },
  });
  const metrics = createMetrics({ store: storage.store, scheduler: storage.scheduler, mirror: storage.mirror, game: storage.game });
  const bot = new Bot({
    context: { game: storage.game, random: options.random ?? createRandom(config.randomSeed), settings: { betMax: config.betMax, leaderboardPageSize: config.leaderboardPageSize } },
    logger,
    observer: metrics.observer,
    onFatal: (error) => { fail(error); },
  });
  let server: MetricsServer | undefined;
  try {
    server = config.metricsPort === undefined ? undefined : await serveMetrics(metrics.registry, config.metricsHost, config.metricsPort);
  } catch (error) {
    await storage.close();
    throw error;
  }
  const stoppingHooks: Array<() => Promise<void> | void> = [];
  const drainedHooks: Array<() => Promise<void> | void> = [];
  let stopping: Promise<number> | undefined;
  const stop = (exitCode = 0): Promise<number> =>
    (stopping ??= (async () => {
      logger.info({ exitCode }, "stopping: no new interactions, waiting for those in flight");
      let code = exitCode;
      const step = async (what: string, run: () => Promise<void> | void): Promise<void> => {
        try {
          await run();
        } catch (error) {
          logger.error({ err: error }, `stopping: ${what} failed`);
          code = code === 0 ? 1 : code;
        }
      };
      const drained = bot.drain(); // refuses new interactions from here on
      for (const hook of stoppingHooks) await step("a transport's intake", hook);
      await step("draining interactions", () => drained);
      for (const hook of drainedHooks) await step("a transport", hook);
      await step("the metrics endpoint", () => server?.close());
      await step("closing the storage", () => storage.close());
      logger.info({ exitCode: code }, "stopped");
      return code;
    })());
  fail = (error) => {
    if (stopping !== undefined) return;
    logger.fatal({ err: error }, "the store failed: stopping rather than answering from a store that cannot write");
    process.stderr.write(`bot: STOPPING: the store failed (${error instanceof Error ? error.message : String(error)}). Restart the bot: opening the store recovers exactly what was acknowledged.\n`);
    void stop(1).then((code) => options.onStopped?.(code));
  };
  const healthLine = describeHealth(config, storage, server?.port);
  logger.info({ dataDir: config.dataDir, recovery: storage.store?.recovery, stats: storage.store?.stats(), imported: storage.imported?.counts, metricsPort: server?.port }, healthLine);
  return {
    config,
    storage,
    bot,
    logger,
    metricsPort: server?.port,
    healthLine,
    onStopping: (hook) => stoppingHooks.push(hook),
    onDrained: (hook) => drainedHooks.push(hook),
    stop,
  };
}

function describeHealth(config: Config, storage: Storage, metricsPort: number | undefined): string {
  const metrics = metricsPort === undefined ? "metrics off" : `metrics http://${config.metricsHost}:${metricsPort}/metrics`;
  if (storage.store === undefined) return `bot ${config.mode} mode: data ${storage.where ?? "on PostgreSQL (STORE_URL)"}; ${metrics}`;
  const { recovery } = storage.store;
  const stats = storage.store.stats();
  const torn = recovery.tornTail === null ? "no torn tail" : `cut a torn tail of ${recovery.tornTail.bytes} bytes`;
  const salvaged = recovery.salvaged.length === 0 ? "" : `, SALVAGED ${recovery.salvaged.length} damaged files`;
  const imported = storage.imported === undefined ? "" : `; imported the old JSON files (${storage.imported.counts.players} players, ${storage.imported.counts.accounts} accounts, ${storage.imported.counts.games} games)`;
  return (
    `bot ${config.mode} mode: data ${config.dataDir}; recovered ${recovery.recordsReplayed} records from ${recovery.segmentsReplayed} segments` +
    `${recovery.baseFile === null ? "" : ` after base ${recovery.baseFile}`} (${torn}${salvaged}); ${stats.keys} keys at seq ${stats.seq}${imported}; ` +
    `mirror ${storage.mirror === undefined ? "off" : "on"}; ${metrics}`
  );
}
