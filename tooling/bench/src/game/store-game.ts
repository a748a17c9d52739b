import type { GameSystem } from "./system.js";
import { KvGame } from "./kv-game.js";

/**
 * `@store/game` on `@store/log` (`sync: "always"`) in this process, composed as the example bot
 * does it: the log, its KeyValueStore adapter, `createGame` with its defaults.
 * Loaded lazily so that a run without a built `@store/game` still measures everything else.
 */
export async function createStoreGame(): Promise<GameSystem> {
  const [{ openStore, toKeyValueStore }, { createGame }] = await Promise.all([import("@store/log"), import("@store/game")]);
  return new KvGame(
    {
      open: async (dir) => {
        const store = await openStore(dir, { sync: "always" });
        const compact = async (): Promise<void> => {
          await store.compact();
        };
        return { kv: toKeyValueStore(store), flushes: () => store.stats().flushes, compact, close: () => store.close() };
      },
      compacts: true,
    },
    createGame,
  );
}
