import { tokens } from "../format.js";
import type { BotUser, CommandInteraction } from "../interaction.js";
import { Refusal } from "../replies.js";

// Discord enforces `setRequired` and `setMinValue` before a handler runs, and the console parses
// arguments with the same definitions; these checks are the handler's own last line.

export function requiredUser(interaction: CommandInteraction, name: string): BotUser {
  const user = interaction.options.getUser(name);
  if (user === null) throw new Refusal(`Name a player for \`${name}\`.`);
  return user;
}

/** A positive number of tokens, at most `max`. */
export function requiredInteger(interaction: CommandInteraction, name: string, max: number): number {
  const value = interaction.options.getInteger(name);
  if (value === null || !Number.isSafeInteger(value) || value < 1) throw new Refusal(`\`${name}\` must be a whole number of tokens from 1.`);
  if (value > max) throw new Refusal(`\`${name}\` can be at most ${tokens(max)}.`);
  return value;
}
