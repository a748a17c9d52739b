import { SlashCommandBuilder } from "discord.js";
import { formatDuration, tokens } from "../format.js";
import { COLOR, reply } from "../replies.js";
import type { Command } from "./command.js";

export const daily: Command = {
  data: new SlashCommandBuilder().setName("daily").setDescription("Claim your daily tokens."),
  async execute(interaction, { game }) {
    const claim = await game.tokens.claimDaily(interaction.user.id, { idempotencyKey: interaction.id });
    return reply({
      title: "Daily tokens",
      description: `+${tokens(claim.amount)} for ${interaction.user.name}. Balance: **${tokens(claim.balance)}**.`,
      color: COLOR.success,
      footer: `Next claim in ${formatDuration(claim.nextAtMs - game.options.now())}`,
    });
  },
};
