import { SlashCommandBuilder } from "discord.js";
import { tokens } from "../format.js";
import { COLOR, reply } from "../replies.js";
import type { Command } from "./command.js";
import { requiredInteger } from "./options.js";
import { rememberName } from "./player-name.js";

/**
 * A bet against the house, as a one-shot game (`games.play`): in one batch the stake is escrowed,
 * the coin is drawn, and twice the stake or nothing is paid. The idempotency record holds the
 * outcome, so a replay answers the first flip and never draws again. The house is the game layer's
 * supply: a payout above the pot counts as granted, a pot kept counts as spent, so `audit()` holds.
 */
export const coinflip: Command = {
  data: new SlashCommandBuilder()
    .setName("coinflip")
    .setDescription("Bet tokens on a coin flip against the house: double or nothing.")
    .addIntegerOption((option) => option.setName("amount").setDescription("Tokens to bet").setRequired(true).setMinValue(1)),
  async execute(interaction, { game, random, settings }) {
    const amount = requiredInteger(interaction, "amount", settings.betMax);
    const player = interaction.user.id;
    const gameId = `coinflip-${interaction.id}`;
    await rememberName(game, interaction.user);
    const flip = await game.games.play(
      { id: gameId, type: "coinflip", channelId: interaction.channelId, players: [player], stakes: { [player]: amount } },
      () => (random.coin(gameId) ? { results: { [player]: "win" }, payouts: { [player]: 2 * amount } } : { results: { [player]: "loss" } }),
      { idempotencyKey: interaction.id },
    );
    const won = flip.results[player] === "win";
    return reply({
      title: won ? "Coin flip: you win!" : "Coin flip: you lose",
      description: won
        ? `${interaction.user.name} bet ${tokens(amount)} and won ${tokens(2 * amount)}.`
        : `${interaction.user.name} bet ${tokens(amount)} and lost it to the house.`,
      color: won ? COLOR.success : COLOR.loss,
      footer: `Balance: ${tokens(flip.balances[player] ?? 0)}`,
    });
  },
};
