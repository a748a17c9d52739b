import { Events, type Interaction } from "discord.js";
import type { App } from "../app.js";
import { fromButton, fromChatInput, toReplyOptions, toUpdateOptions } from "../discord/adapter.js";

export const interactionCreate = {
  name: Events.InteractionCreate,
  once: false,
  async execute(app: App, interaction: Interaction): Promise<void> {
    try {
      if (interaction.isChatInputCommand()) {
        const reply = await app.bot.handleCommand(fromChatInput(interaction));
        await interaction.reply(toReplyOptions(reply));
      } else if (interaction.isButton()) {
        const reply = await app.bot.handleButton(fromButton(interaction));
        // A result replaces the challenge (and its buttons); a refusal is a private answer.
        if (reply.update === true && !reply.ephemeral) await interaction.update(toUpdateOptions(reply));
        else await interaction.reply(toReplyOptions(reply));
      }
    } catch (error) {
      // The handlers never throw; this is Discord refusing the answer (expired token, lost connection).
      app.logger.warn({ err: error, interactionId: interaction.id }, "could not answer an interaction");
    }
  },
} as const;
