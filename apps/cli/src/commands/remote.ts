import { stat } from "node:fs/promises";
import type { ConnectionChange, RemoteStore } from "@store/remote";

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

/**
 * One attempt, no reconnection: an operator's command should fail fast when the bot is down. With
 * `onConnectionChange` (`tail --follow`, which outlives a bot restart), the first connection still fails
 * fast, but a connection lost later is tried again for as long as it runs, and told.
 */
export async function connect(socketPath: string, onConnectionChange?: (change: ConnectionChange) => void): Promise<RemoteStore> {
  const { connectStore } = await import("@store/remote");
  const name = `store-cli-${process.pid}`;
  if (onConnectionChange === undefined) return connectStore({ socketPath, name, reconnectAttemptsMax: 1 });
  return connectStore({ socketPath, name, onConnectionChange });
}
