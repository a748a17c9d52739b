import { balance } from "./balance.js";
import { coinflip } from "./coinflip.js";
import type { Command } from "./command.js";
import { daily } from "./daily.js";
import { duel } from "./duel.js";
import { give } from "./give.js";
import { leaderboard } from "./leaderboard.js";
import { profile } from "./profile.js";

export type { BotContext, Command } from "./command.js";

/** Every command, listed rather than found by scanning a folder: what is here is what is deployed. */
export const commands: readonly Command[] = [balance, daily, give, coinflip, duel, profile, leaderboard];

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.data.name === name);
}

/** What `deploy-commands` registers: each definition as discord.js's builders validate and serialize it. */
export function deployPayload(): ReturnType<Command["data"]["toJSON"]>[] {
  return commands.map((command) => command.data.toJSON());
}
