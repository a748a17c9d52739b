import { SlashCommandBuilder } from "discord.js";
import { tokens } from "../format.js";
import { COLOR, Refusal, reply } from "../replies.js";
import type { Command } from "./command.js";
import { requiredInteger, requiredUser } from "./options.js";

export const give: Command = {
  data: new SlashCommandBuilder()
    .setName("give")
    .setDescription("Give some of your tokens to another player.")
    .addUserOption((option) => option.setName("user").setDescription("Who gets the tokens").setRequired(true))
    .addIntegerOption((option) => option.setName("amount").setDescription("How many tokens").setRequired(true).setMinValue(1)),
  async execute(interaction, { game, settings }) {
    const target = requiredUser(interaction, "user");
    const amount = requiredInteger(interaction, "amount", settings.betMax);
    if (target.id === interaction.user.id) throw new Refusal("You cannot give tokens to yourself.");
    if (target.bot) throw new Refusal(`${target.name} is a bot; bots cannot hold tokens.`);
    const result = await game.tokens.transfer(interaction.user.id, target.id, amount, { idempotencyKey: interaction.id, reason: "give" });
    return reply({
      title: "Tokens given",
      description: `${interaction.user.name} gave ${tokens(amount)} to ${target.name}.`,
      color: COLOR.success,
      fields: [
        { name: interaction.user.name, value: tokens(result.fromBalance), inline: true },
        { name: target.name, value: tokens(result.toBalance), inline: true },
      ],
    });
  },
};
