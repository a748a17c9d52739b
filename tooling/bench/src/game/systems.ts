import type { GameOnlySpec, SystemSpec } from "../adapter.js";
import { betterSqlite3 } from "../adapters/better-sqlite3.js";
import { storeLogAlways } from "../adapters/store-log.js";
import { checkPostgres, createPostgresGame } from "./postgres-game.js";
import { createRemoteGame } from "./remote-game.js";
import { createSqliteGame } from "./sqlite-game.js";
import { createStoreGame } from "./store-game.js";
import type { GameSystem } from "./system.js";

/** Client processes of the socket row: 4 x 16 players, as issue 14's sharded bot. */
export const socketProcesses = 4;

/** `@store/game` on PostgreSQL: a system only the game suite runs. */
export const postgresGame: GameOnlySpec = {
  name: "@store/postgres",
  role: "game",
  durability: "COMMIT on the server (synchronous_commit on: its WAL fsynced), several batches per transaction (group commit)",
  durable: true,
  check: checkPostgres,
};

/** `@store/game` through the socket from client processes, the server owning a @store/log folder. */
export const remoteGame: GameOnlySpec = {
  name: `@store/remote, ${socketProcesses} processes`,
  role: "game",
  durability: "the server's @store/log always: fdatasync per group of batches, from every client",
  durable: true,
  check: async () => {
    await import("@store/remote");
  },
};

export const gameOnlySpecs: readonly GameOnlySpec[] = [postgresGame, remoteGame];

interface Entry {
  readonly label: string;
  readonly create: () => Promise<GameSystem>;
  /** The whole suite, or game-ops only (the leaderboard and start-up are in-process reads and an open, the same code as the log's). */
  readonly workloads: "all" | "game-ops";
}

/**
 * The game suite runs `@store/game` on `@store/log always` in this process, the same game written in
 * SQL on better-sqlite3, and in game-ops also `@store/game` on PostgreSQL and through the socket
 * from 4 processes. Its tables name them for what they run.
 */
const gameSystems: ReadonlyMap<string, Entry> = new Map<string, Entry>([
  [storeLogAlways.name, { label: "@store/game on @store/log always, in one process", create: createStoreGame, workloads: "all" }],
  [betterSqlite3.name, { label: "better-sqlite3 (the same game in SQL)", create: createSqliteGame, workloads: "all" }],
  [postgresGame.name, { label: "@store/game on @store/postgres (PostgreSQL server)", create: createPostgresGame, workloads: "game-ops" }],
  [
    remoteGame.name,
    {
      label: `@store/game through the socket (@store/remote) from ${socketProcesses} processes`,
      create: () => createRemoteGame(socketProcesses),
      workloads: "game-ops",
    },
  ],
]);

export const gameLabels: Readonly<Record<string, string>> = Object.fromEntries(
  [...gameSystems].map(([name, system]) => [name, system.label]),
);

/** Runs in game-ops: every game system. */
export const hasGameSystem = (spec: SystemSpec): boolean => gameSystems.has(spec.name);

/** Runs in the leaderboard and start-up workloads too. */
export const hasWholeGameSuite = (spec: SystemSpec): boolean => gameSystems.get(spec.name)?.workloads === "all";

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
