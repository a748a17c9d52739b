import { ConfigError, ENV_NAMES } from "../config.js";

/**
 * `pnpm start --shards N` (or `--shards=N`): the command line's one option, handed to the config as
 * `BOT_SHARDS` so that it is validated with every other option (and wins over the environment).
 */
export function withShardsArgument(env: NodeJS.ProcessEnv, argv: readonly string[]): NodeJS.ProcessEnv {
  let value: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? "";
    if (arg === "--shards") {
      value = argv[index + 1];
      if (value === undefined || value.startsWith("-")) throw new ConfigError(`--shards needs a number of shard processes, like --shards 4.`);
      index += 1;
    } else if (arg.startsWith("--shards=")) value = arg.slice("--shards=".length);
    else throw new ConfigError(`Unknown argument ${JSON.stringify(arg.slice(0, 40))}: the bot takes only --shards N; every other option is an environment variable (see apps/bot/README.md, "Configuration").`);
  }
  return value === undefined ? env : { ...env, [ENV_NAMES.shards]: value };
}
