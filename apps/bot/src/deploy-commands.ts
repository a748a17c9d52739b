import { REST, Routes } from "discord.js";
import { deployPayload } from "./commands/index.js";
import { ConfigError, loadConfig } from "./config.js";

// `pnpm deploy-commands`: registers the slash commands with Discord (for one guild with
// DISCORD_GUILD_ID, which shows them at once; globally without). `--print` only prints the JSON.

async function main(): Promise<number> {
  const body = deployPayload();
  if (process.argv.includes("--print")) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  const config = loadConfig();
  if (config.discordToken === undefined || config.discordApplicationId === undefined) {
    process.stderr.write("deploy-commands needs DISCORD_TOKEN and DISCORD_APPLICATION_ID (and DISCORD_GUILD_ID for one server). `--print` shows the JSON without them.\n");
    return 2;
  }
  const rest = new REST().setToken(config.discordToken);
  const route = config.discordGuildId === undefined ? Routes.applicationCommands(config.discordApplicationId) : Routes.applicationGuildCommands(config.discordApplicationId, config.discordGuildId);
  await rest.put(route, { body });
  process.stdout.write(`Registered ${body.length} commands ${config.discordGuildId === undefined ? "globally (they can take up to an hour to show)" : `in guild ${config.discordGuildId}`}: ${body.map((command) => `/${command.name}`).join(" ")}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`deploy-commands failed: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
