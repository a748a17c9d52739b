import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

// The one place that reads the environment (and the optional config file). Every option is
// documented, with its unit and default, in the README's "Configuration" table; keep both in step.

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const ms = int(0, 2_147_483_647);
const flag = z.union([z.boolean(), z.stringbool()]);
const snowflake = z.string().regex(/^\d{17,20}$/u, "a Discord id (17 to 20 digits)");

/** Shard processes at most: each is a Node.js process with its own memory and a connection to the manager. */
export const SHARDS_MAX = 256;

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const schema = z.strictObject({
  discordToken: z.string().min(1).optional(),
  discordApplicationId: snowflake.optional(),
  discordGuildId: snowflake.optional(),
  storeUrl: z.string().regex(/^postgres(ql)?:\/\/\S+$/u, "a postgres:// URL").optional(),
  storeSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,47}$/u, "1 to 48 of a-z 0-9 _, not starting with a digit").default("store"),
  dataDir: z.string().min(1).optional(),
  legacyDir: z.string().min(1).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  metricsPort: z.union([z.literal("off"), int(0, 65_535)]).optional(),
  metricsHost: z.string().min(1).default("127.0.0.1"),
  mirror: flag.default(true),
  mirrorIntervalMs: int(1, 2_147_483_647).default(1_000),
  compactMinBytes: int(0, Number.MAX_SAFE_INTEGER).default(1_048_576),
  compactGarbageRatioMin: z.coerce.number().min(0).max(1).default(0.5),
  compactMaxAgeMs: ms.optional(),
  compactCheckIntervalMs: int(1, 2_147_483_647).default(30_000),
  dailyAmount: int(1, 1_000_000_000).default(100),
  dailyCooldownMs: ms.default(86_400_000),
  gameExpiryMs: int(1_000, 2_147_483_647).default(300_000),
  sweepIntervalMs: ms.default(10_000),
  // Twice a bet (a win) must stay an exact integer.
  betMax: int(1, 1_000_000_000_000).default(1_000_000),
  leaderboardPageSize: int(1, 25).default(10),
  consoleOutput: z.enum(["text", "json"]).default("text"),
  consoleConcurrency: int(1, 256).default(1),
  randomSeed: z.string().min(1).max(200).optional(),
  shutdownGraceMs: int(1, 2_147_483_647).default(10_000),
  // 0: one process. N: a manager process serving the data folder and N shard processes (src/shards/).
  shards: int(0, SHARDS_MAX).default(0),
});

/** Environment variable of each option (the config file uses the option's own name). */
export const ENV_NAMES = {
  discordToken: "DISCORD_TOKEN",
  discordApplicationId: "DISCORD_APPLICATION_ID",
  discordGuildId: "DISCORD_GUILD_ID",
  storeUrl: "STORE_URL",
  storeSchema: "STORE_SCHEMA",
  dataDir: "BOT_DATA_DIR",
  legacyDir: "BOT_LEGACY_DIR",
  logLevel: "BOT_LOG_LEVEL",
  metricsPort: "BOT_METRICS_PORT",
  metricsHost: "BOT_METRICS_HOST",
  mirror: "BOT_MIRROR",
  mirrorIntervalMs: "BOT_MIRROR_INTERVAL_MS",
  compactMinBytes: "BOT_COMPACT_MIN_BYTES",
  compactGarbageRatioMin: "BOT_COMPACT_GARBAGE_RATIO_MIN",
  compactMaxAgeMs: "BOT_COMPACT_MAX_AGE_MS",
  compactCheckIntervalMs: "BOT_COMPACT_CHECK_INTERVAL_MS",
  dailyAmount: "BOT_DAILY_AMOUNT",
  dailyCooldownMs: "BOT_DAILY_COOLDOWN_MS",
  gameExpiryMs: "BOT_GAME_EXPIRY_MS",
  sweepIntervalMs: "BOT_SWEEP_INTERVAL_MS",
  betMax: "BOT_BET_MAX",
  leaderboardPageSize: "BOT_LEADERBOARD_PAGE_SIZE",
  consoleOutput: "BOT_CONSOLE_OUTPUT",
  consoleConcurrency: "BOT_CONSOLE_CONCURRENCY",
  randomSeed: "BOT_RANDOM_SEED",
  shutdownGraceMs: "BOT_SHUTDOWN_GRACE_MS",
  shards: "BOT_SHARDS",
} as const satisfies Record<keyof z.input<typeof schema>, string>;

/** The variable that names the optional JSON config file. */
export const CONFIG_FILE_ENV = "BOT_CONFIG";

export type Mode = "discord" | "console";

export interface Config extends Omit<z.output<typeof schema>, "dataDir" | "legacyDir" | "logLevel" | "metricsPort"> {
  /** `discord` with a token, `console` without. */
  readonly mode: Mode;
  /** Absolute. The log lives in `<dataDir>/log`, the mirror in `<dataDir>/mirror`. */
  readonly dataDir: string;
  /** Absolute: where old `players.json`, `tokens.json`, `gameStates.json` are looked for on a first start. */
  readonly legacyDir: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** `undefined`: no metrics endpoint; 0: any free port. */
  readonly metricsPort: number | undefined;
}

/** `./data` beside `src/` and `dist/`: the bot package's own folder, whatever the working directory. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL("../data", import.meta.url));

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Reads the options: the config file named by `BOT_CONFIG` (if any), overridden by the
 * environment, validated as a whole. Throws a ConfigError listing every bad option.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const fromFile = readConfigFile(env[CONFIG_FILE_ENV], cwd);
  const fromEnv: Record<string, string> = {};
  for (const [name, variable] of Object.entries(ENV_NAMES)) {
    const value = env[variable];
    if (value !== undefined && value !== "") fromEnv[name] = value;
  }
  const parsed = schema.safeParse({ ...fromFile, ...fromEnv });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "");
      const variable = name in ENV_NAMES ? ` (${ENV_NAMES[name as keyof typeof ENV_NAMES]})` : "";
      return `  ${name}${variable}: ${issue.message}`;
    });
    throw new ConfigError(`Bad bot configuration; fix these options (see apps/bot/README.md, "Configuration"):\n${problems.join("\n")}`);
  }
  const options = parsed.data;
  const mode: Mode = options.discordToken === undefined ? "console" : "discord";
  const dataDir = options.dataDir === undefined ? DEFAULT_DATA_DIR : resolve(cwd, options.dataDir);
  return {
    ...options,
    mode,
    dataDir,
    legacyDir: options.legacyDir === undefined ? dataDir : resolve(cwd, options.legacyDir),
    // Console mode is quiet: its stdout is the conversation, logs go to stderr and only warnings by default.
    logLevel: options.logLevel ?? (mode === "console" ? "warn" : "info"),
    metricsPort: options.metricsPort === "off" ? undefined : (options.metricsPort ?? (mode === "console" ? undefined : 9464)),
  };
}

function readConfigFile(path: string | undefined, cwd: string): Record<string, unknown> {
  if (path === undefined || path === "") return {};
  const file = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`${CONFIG_FILE_ENV} names ${file}, which cannot be read (${(error as Error).message}).`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`The config file ${file} is not valid JSON: ${(error as Error).message}.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`The config file ${file} must hold a JSON object of options, like {"dataDir": "./data"}.`);
  }
  return value as Record<string, unknown>;
}
