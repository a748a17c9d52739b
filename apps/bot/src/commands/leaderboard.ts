import { SlashCommandBuilder } from "discord.js";
import { COLOR, Refusal, reply } from "../replies.js";
import type { Command } from "./command.js";

export const leaderboard: Command = {
  data: new SlashCommandBuilder()
    .setName("leaderboard")
    .setDescription("The best players by score.")
    .addIntegerOption((option) => option.setName("page").setDescription("Which page (default 1)").setMinValue(1)),
  async execute(interaction, { game, settings }) {
    const page = interaction.options.getInteger("page") ?? 1;
    const size = settings.leaderboardPageSize;
    // The index follows the store's changes: wait until it has every write committed so far.
    await game.catchUp();
    const pages = Math.max(1, Math.ceil(game.leaderboard.size / size));
    if (!Number.isSafeInteger(page) || page < 1 || page > pages) throw new Refusal(`There ${pages === 1 ? "is 1 page" : `are ${pages} pages`}; ask for one of them.`);
    const entries = game.leaderboard.top(size, (page - 1) * size);
    return reply({
      title: "Leaderboard",
      color: COLOR.gold,
      description: entries.length === 0 ? "Nobody has played yet: try /coinflip or /duel." : entries.map((entry) => `**${entry.rank}.** ${entry.name}: ${entry.score} points`).join("\n"),
      footer: `Page ${page} of ${pages} · ${game.leaderboard.size} players`,
    });
  },
};
