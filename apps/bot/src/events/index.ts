import type { Client } from "discord.js";
import type { App } from "../app.js";
import { interactionCreate } from "./interaction-create.js";
import { ready } from "./ready.js";

/** Every event the bot listens to, registered explicitly. */
export function registerEvents(client: Client, app: App): void {
  client.once(ready.name, (readyClient) => { ready.execute(app, readyClient); });
  client.on(interactionCreate.name, (interaction) => void interactionCreate.execute(app, interaction));
}
