import type { Game } from "@store/game";
import type { SlashCommandBuilder, SlashCommandOptionsOnlyBuilder } from "discord.js";
import type { ButtonInteraction, CommandInteraction, Reply } from "../interaction.js";
import type { Random } from "../random.js";

/** What every handler may use; nothing of the transport. */
export interface BotContext {
  readonly game: Game;
  readonly random: Random;
  readonly settings: {
    /** Largest bet of /coinflip and /duel and largest /give, in tokens. */
    readonly betMax: number;
    /** Players per /leaderboard page. */
    readonly leaderboardPageSize: number;
  };
}

/**
 * One slash command: its definition, built with discord.js's builders (what `deploy-commands`
 * registers and what the console parses arguments with), and its handler. A command with buttons
 * also handles their clicks: a button's custom id starts with the command's name.
 */
export interface Command {
  readonly data: SlashCommandBuilder | SlashCommandOptionsOnlyBuilder;
  execute(interaction: CommandInteraction, bot: BotContext): Promise<Reply>;
  button?(interaction: ButtonInteraction, bot: BotContext): Promise<Reply>;
}
