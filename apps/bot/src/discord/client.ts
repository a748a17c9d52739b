import { Client, GatewayIntentBits } from "discord.js";
import type { App } from "../app.js";
import { registerEvents } from "../events/index.js";

/** Logs in; on stop, the bot refuses new interactions, answers those in flight, then leaves. */
export async function runDiscord(app: App, token: string): Promise<void> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds] });
  registerEvents(client, app);
  app.onDrained(() => client.destroy());
  await client.login(token);
}
