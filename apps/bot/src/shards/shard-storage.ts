import { join } from "node:path";
import { createGame, type Game } from "@store/game";
import { connectStore } from "@store/remote";
import type { Config } from "../config.js";
import { gameOptions, type Storage, type StorageHooks } from "../storage.js";

/** The socket a manager serves its data folder on, and its shards connect to. */
export function socketPathOf(config: Pick<Config, "dataDir">): string {
  return join(config.dataDir, "store.sock");
}

/**
 * A shard's storage: the same game layer, on the manager's store through its socket. The manager's
 * own game sweeps expired games, so the shards do not (they would only race it for the same refunds).
 */
export async function openShardStorage(config: Config, hooks: StorageHooks, name: string): Promise<Storage> {
  const kv = await connectStore({ socketPath: socketPathOf(config), name });
  let game: Game | undefined;
  try {
    game = await createGame(kv, { ...gameOptions(config, hooks), sweepIntervalMs: 0 });
  } catch (error) {
    await kv.close().catch(() => undefined);
    throw error;
  }
  const opened = game;
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    try {
      await opened.close();
    } finally {
      await kv.close();
    }
  };
  return { where: `through ${kv.socketPath} (shard ${name})`, store: undefined, game: opened, mirror: undefined, scheduler: undefined, imported: undefined, close: () => (closing ??= close()) };
}
