import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  MessageFlags,
  type ButtonInteraction as DiscordButtonInteraction,
  type ChatInputCommandInteraction,
  type InteractionReplyOptions,
  type InteractionUpdateOptions,
  type User,
} from "discord.js";
import type { BotUser, ButtonInteraction, CommandInteraction, Reply, ReplyButton } from "../interaction.js";

// discord.js objects -> the handlers' interface, and the handlers' replies -> discord.js messages.

function toUser(user: User): BotUser {
  return { id: user.id, name: user.globalName ?? user.username, bot: user.bot };
}

export function fromChatInput(interaction: ChatInputCommandInteraction): CommandInteraction {
  return {
    id: interaction.id,
    commandName: interaction.commandName,
    user: toUser(interaction.user),
    channelId: interaction.channelId,
    options: {
      getUser: (name) => {
        const user = interaction.options.getUser(name);
        return user === null ? null : toUser(user);
      },
      getInteger: (name) => interaction.options.getInteger(name),
    },
  };
}

export function fromButton(interaction: DiscordButtonInteraction): ButtonInteraction {
  return { id: interaction.id, customId: interaction.customId, user: toUser(interaction.user), channelId: interaction.channelId };
}

const STYLES: Record<ReplyButton["style"], ButtonStyle> = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
};

function rows(buttons: readonly ReplyButton[] | undefined): Array<ActionRowBuilder<ButtonBuilder>> {
  if (buttons === undefined || buttons.length === 0) return [];
  return [new ActionRowBuilder<ButtonBuilder>().addComponents(buttons.map((button) => new ButtonBuilder().setCustomId(button.customId).setLabel(button.label).setStyle(STYLES[button.style])))];
}

export function toReplyOptions(reply: Reply): InteractionReplyOptions {
  return { embeds: [reply.embed], components: rows(reply.buttons), ...(reply.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) };
}

export function toUpdateOptions(reply: Reply): InteractionUpdateOptions {
  return { embeds: [reply.embed], components: rows(reply.buttons) };
}
