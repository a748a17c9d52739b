import type { AdapterSpec } from "../adapter.js";
import { betterSqlite3 } from "../adapters/better-sqlite3.js";
import { storeLogAlways } from "../adapters/store-log.js";
import { createSqliteGame } from "./sqlite-game.js";
import { createStoreGame } from "./store-game.js";
import type { GameSystem } from "./system.js";

/**
 * The game suite runs on two of the bench's systems: `@store/game` on `@store/log always`, and the
 * same game written in SQL on better-sqlite3. Its tables name them for what they run.
 */
const gameSystems: ReadonlyMap<string, { readonly label: string; readonly create: () => Promise<GameSystem> }> = new Map([
  [storeLogAlways.name, { label: "@store/game on @store/log always", create: createStoreGame }],
  [betterSqlite3.name, { label: "better-sqlite3 (the same game in SQL)", create: createSqliteGame }],
]);

export const gameLabels: Readonly<Record<string, string>> = Object.fromEntries(
  [...gameSystems].map(([name, system]) => [name, system.label]),
);

export const hasGameSystem = (spec: AdapterSpec): boolean => gameSystems.has(spec.name);

export function createGameSystem(name: string): Promise<GameSystem> {
  const system = gameSystems.get(name);
  if (system === undefined) throw new TypeError(`no game system for "${name}"; known: ${[...gameSystems.keys()].join(", ")}`);
  return system.create();
}

/** Opens a fresh game system on `dir`, runs `task`, and always closes it. */
export async function withGameSystem<T>(name: string, dir: string, task: (system: GameSystem) => Promise<T>): Promise<T> {
  const system = await createGameSystem(name);
  await system.open(dir);
  try {
    return await task(system);
  } finally {
    await system.close();
  }
}
