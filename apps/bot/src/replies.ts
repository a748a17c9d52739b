import type { APIEmbed, APIEmbedField } from "discord.js";
import { formatDuration, tokens } from "./format.js";
import type { Reply, ReplyButton } from "./interaction.js";

export const COLOR = {
  info: 0x3498db,
  success: 0x2ecc71,
  gold: 0xf1c40f,
  loss: 0x95a5a6,
  error: 0xe74c3c,
} as const;

export interface EmbedParts {
  readonly title: string;
  readonly description?: string;
  readonly color?: number;
  readonly fields?: readonly APIEmbedField[];
  readonly footer?: string;
}

export function embed(parts: EmbedParts): APIEmbed {
  return {
    title: parts.title,
    color: parts.color ?? COLOR.info,
    ...(parts.description === undefined ? {} : { description: parts.description }),
    ...(parts.fields === undefined ? {} : { fields: [...parts.fields] }),
    ...(parts.footer === undefined ? {} : { footer: { text: parts.footer } }),
  };
}

/** A public answer. */
export function reply(parts: EmbedParts, extra: { buttons?: readonly ReplyButton[]; update?: boolean } = {}): Reply {
  return { embed: embed(parts), ephemeral: false, ...extra };
}

/** A refusal only the user sees. */
export function refusal(description: string, title = "Not this time"): Reply {
  return { embed: embed({ title, description, color: COLOR.error }), ephemeral: true };
}

/**
 * A refusal a handler decides itself (bad target, bet too high...): the dispatcher turns it into
 * an ephemeral reply. Its message is written for the player.
 */
export class Refusal extends Error {
  override readonly name = "Refusal";
}

export type ErrorOutcome = { readonly reply: Reply; readonly kind: "refused" | "error"; readonly fatal: boolean };

function codeOf(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

function numberField(error: unknown, name: string): number | undefined {
  const value = (error as Record<string, unknown>)[name];
  return typeof value === "number" ? value : undefined;
}

/**
 * What the player is told when a handler throws. Errors are told apart by `code` (never by class:
 * two copies of a package can meet). Anything unexpected gets a short apology, never a stack trace;
 * the dispatcher logs it.
 */
export function explainError(error: unknown): ErrorOutcome {
  if (error instanceof Refusal) return { reply: refusal(error.message), kind: "refused", fatal: false };
  const refused = (text: string, title?: string): ErrorOutcome => ({ reply: refusal(text, title), kind: "refused", fatal: false });
  switch (codeOf(error)) {
    case "GAME_INSUFFICIENT_FUNDS": {
      const balance = numberField(error, "balance") ?? 0;
      const amount = numberField(error, "amount") ?? 0;
      return refused(`You have ${tokens(balance)}; this needs ${tokens(amount)}. Try /daily.`, "Not enough tokens");
    }
    case "GAME_COOLDOWN":
      return refused(`You already claimed your daily tokens. Come back in ${formatDuration(numberField(error, "retryAfterMs") ?? 0)}.`, "Daily tokens already claimed");
    case "GAME_NOT_FOUND":
    case "GAME_EXPIRED":
      return refused("That game is over: it was played, declined, or it expired (stakes of an expired game are refunded).", "Game over");
    case "GAME_IDEMPOTENCY_MISMATCH":
      return refused("This interaction was already used for another request. Run the command again.");
    case "STORE_CONFLICT":
      return refused("Too much is happening on these accounts at once. Please try again.", "Busy");
    case "GAME_CLOSED":
    case "STORE_CLOSED":
      return refused("The bot is restarting. Try again in a moment.", "Restarting");
    case "GAME_IMPORT_PENDING":
      return refused("The bot is importing old data. Try again in a moment.", "Busy");
    case "STORE_FAILED":
      return {
        reply: refusal("The bot's storage failed and the bot is stopping. Everything confirmed before this is safe.", "Stopping"),
        kind: "error",
        fatal: true,
      };
    default:
      return { reply: refusal("Something went wrong on our side; it has been logged. Please try again later.", "Sorry"), kind: "error", fatal: false };
  }
}
