import { Events, type Client } from "discord.js";
import type { App } from "../app.js";

export const ready = {
  name: Events.ClientReady,
  once: true,
  execute(app: App, client: Client<true>): void {
    app.logger.info({ user: client.user.tag, guilds: client.guilds.cache.size }, `logged in to Discord as ${client.user.tag}`);
  },
} as const;
