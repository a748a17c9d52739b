import { SlashCommandBuilder } from "discord.js";
import { tokens } from "../format.js";
import { COLOR, reply } from "../replies.js";
import type { Command } from "./command.js";

export const profile: Command = {
  data: new SlashCommandBuilder()
    .setName("profile")
    .setDescription("A player's stats, rank and balance.")
    .addUserOption((option) => option.setName("user").setDescription("Whose profile (default: yours)")),
  async execute(interaction, { game }) {
    const user = interaction.options.getUser("user") ?? interaction.user;
    const [player, balance] = await Promise.all([game.players.get(user.id), game.tokens.balance(user.id)]);
    await game.catchUp();
    const rank = game.leaderboard.rank(user.id);
    const stats = player?.stats;
    const byType = stats === undefined ? [] : Object.entries(stats.byType).map(([type, counts]) => `${type}: ${counts.wins}W ${counts.losses}L ${counts.draws}D`);
    return reply({
      title: player?.name ?? user.name,
      color: COLOR.info,
      description: stats === undefined || stats.games === 0 ? "No games played yet." : `Rank **#${rank?.rank ?? "?"}** of ${game.leaderboard.size} with ${stats.score} points.`,
      fields: [
        { name: "Balance", value: tokens(balance), inline: true },
        { name: "Games", value: stats === undefined ? "0" : `${stats.games} (${stats.wins}W ${stats.losses}L ${stats.draws}D)`, inline: true },
        { name: "Streak", value: stats === undefined ? "0" : `${stats.streak} (best ${stats.bestStreak})`, inline: true },
        ...(byType.length === 0 ? [] : [{ name: "By game", value: byType.join("\n") }]),
      ],
    });
  },
};
