import { SlashCommandBuilder } from "discord.js";
import { formatDuration, tokens } from "../format.js";
import { COLOR, reply } from "../replies.js";
import type { Command } from "./command.js";

/** Movements of the history shown under the balance. */
const RECENT_MOVEMENTS = 3;

export const balance: Command = {
  data: new SlashCommandBuilder().setName("balance").setDescription("Your token balance and your latest movements."),
  async execute(interaction, { game }) {
    const account = await game.tokens.account(interaction.user.id);
    const nextDailyAtMs = account.lastDailyAtMs === null ? undefined : account.lastDailyAtMs + game.options.dailyCooldownMs;
    const waitMs = nextDailyAtMs === undefined ? 0 : nextDailyAtMs - game.options.now();
    const recent = account.history.slice(-RECENT_MOVEMENTS).reverse();
    return reply({
      title: `${interaction.user.name}'s balance`,
      description: `**${tokens(account.balance)}**`,
      color: COLOR.gold,
      fields: [
        { name: "Daily", value: waitMs > 0 ? `next claim in ${formatDuration(waitMs)}` : "ready: /daily", inline: true },
        ...(recent.length === 0
          ? []
          : [{ name: "Latest", value: recent.map((movement) => `${movement.amount > 0 ? "+" : ""}${movement.amount} (${movement.kind})`).join("\n"), inline: true }]),
      ],
    });
  },
};
