import { stat } from "node:fs/promises";
import type { RemoteStore } from "@store/remote";

/**
 * `stats` and `tail` take a running bot's socket (`<data folder>/store.sock`) as well as a folder:
 * a socket file is read through the server that owns the folder (its writer), never opened here.
 */
export async function isSocket(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isSocket();
  } catch {
    return false; // not there: the folder commands report it in their own words
  }
}

/** One attempt, no reconnection: an operator's command should fail fast when the bot is down. */
export async function connect(socketPath: string): Promise<RemoteStore> {
  const { connectStore } = await import("@store/remote");
  return connectStore({ socketPath, name: `store-cli-${process.pid}`, reconnectAttemptsMax: 1 });
}
