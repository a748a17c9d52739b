import type { App } from "../app.js";
import { duelButtonId, openDuels } from "../commands/duel.js";
import type { Reply } from "../interaction.js";
import { refusal } from "../replies.js";
import { consoleUser, type ConsoleLine } from "./parse.js";
import { renderReply } from "./render.js";

/** The channel every console interaction happens in. */
const CONSOLE_CHANNEL = "console";

/** What a console line got: a reply (with its interaction id), or why it was not run. */
export type ConsoleAnswer = { readonly reply: Reply; readonly id: string } | { readonly error: string };

/**
 * Runs one parsed command or button line as `as` through the bot's handlers (the console's and a
 * console shard's). Discord shows the buttons under the challenge; the console picks the newest
 * open duel: one challenging you to accept, one you are in (either side) to decline.
 */
export async function executeLine(app: Pick<App, "bot" | "storage">, parsed: ConsoleLine & { kind: "command" | "button" }, as: string, id: string): Promise<{ reply: Reply; id: string }> {
  const base = { id, user: consoleUser(as), channelId: CONSOLE_CHANNEL };
  if (parsed.kind === "command") return { id, reply: await app.bot.handleCommand({ ...base, commandName: parsed.name, options: parsed.options }) };
  if (!app.bot.accepting) return { id, reply: await app.bot.handleButton({ ...base, customId: "duel" }) }; // refused: the bot is stopping
  const other = parsed.other;
  const open = (await openDuels(app.storage.game, as)).filter((duel) =>
    parsed.action === "accept" ? duel.opponent.id === as && (other === undefined || duel.challenger.name === other) : other === undefined || (duel.challenger.id === as ? duel.opponent.name : duel.challenger.name) === other,
  );
  const target = open[0];
  if (target === undefined) {
    const what = parsed.action === "accept" ? `challenging ${as}${other === undefined ? "" : ` from ${other}`}` : `with ${as}${other === undefined ? "" : ` and ${other}`}`;
    return { id, reply: refusal(`No open duel ${what}. (Use /as to act as the challenged player.)`, "No duel") };
  }
  return { id, reply: await app.bot.handleButton({ ...base, customId: duelButtonId(parsed.action, target.gameId) }) };
}

/** The same, an error turned into the answer's text. */
export async function answerLine(app: Pick<App, "bot" | "storage">, parsed: ConsoleLine & { kind: "command" | "button" }, as: string, id: string): Promise<ConsoleAnswer> {
  try {
    return await executeLine(app, parsed, as, id);
  } catch (error) {
    return { error: `failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** One answer as the console prints it: JSON (one line), or the echoed input (scripts) and the rendered reply. */
export function formatAnswer(options: { readonly json: boolean; readonly interactive: boolean }, n: number, input: string, as: string, result: ConsoleAnswer): string {
  if (options.json) return JSON.stringify({ n, input, user: as, ...("reply" in result ? { id: result.id, reply: result.reply } : { error: result.error }) });
  const echo = options.interactive ? "" : `${as}> ${input}\n`;
  return `${echo}${"reply" in result ? renderReply(result.reply) : `! ${result.error}`}`;
}
