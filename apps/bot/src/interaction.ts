import type { APIEmbed } from "discord.js";

/**
 * What a handler sees of an interaction: the transport (discord.js or the console) adapts its own
 * objects to this, so the same handler runs from both and the tests call it directly.
 */
export interface BotUser {
  /** The player id: a Discord user id, or a console user's name. */
  readonly id: string;
  /** Shown in replies and on the leaderboard. */
  readonly name: string;
  /** Bots cannot hold tokens or play. */
  readonly bot: boolean;
}

export interface BotInteraction {
  /** Unique per interaction, stable across Discord's retries: the idempotency key of its effects. */
  readonly id: string;
  readonly user: BotUser;
  readonly channelId: string | null;
}

export interface CommandInteraction extends BotInteraction {
  readonly commandName: string;
  readonly options: CommandOptions;
}

/** The options of a slash command, read as discord.js reads them (`null` when not given). */
export interface CommandOptions {
  getUser(name: string): BotUser | null;
  getInteger(name: string): number | null;
}

export interface ButtonInteraction extends BotInteraction {
  /** `<handler>:<action>:<argument>`, as set on the button. */
  readonly customId: string;
}

export interface ReplyButton {
  readonly customId: string;
  readonly label: string;
  readonly style: "primary" | "secondary" | "success" | "danger";
}

/** A handler's answer: always an embed; errors are ephemeral (only the user sees them). */
export interface Reply {
  readonly embed: APIEmbed;
  readonly ephemeral: boolean;
  /** Buttons under the message (one row). */
  readonly buttons?: readonly ReplyButton[];
  /** For a button: replace the message the button was on (and its buttons) instead of answering it. */
  readonly update?: boolean;
}
