import { existsSync } from "node:fs";
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Sizes } from "../workload.js";
import { play } from "./play.js";
import { seedPlayers, tokensOf } from "./seeds.js";
import { createGameSystem, withGameSystem } from "./systems.js";
import type { GameSystem } from "./system.js";

export interface PlayersDataset {
  /** The folder as the system left it: the import, then the games played since. */
  readonly asWritten: string;
  /** The same data after `compact()`, for the systems that compact; null for the others. */
  readonly compacted: string | null;
  readonly playerIds: readonly string[];
}

const seed = 42;

/**
 * `leaderboardPlayers` players with past results and balances, loaded as a bot's one-off import
 * does, then `startHistoryOps` operations of 64 concurrent players picked at random among them, so
 * that the log holds what a running bot leaves behind. Built once per system and bench run (the
 * leaderboard and start-up workloads share it); a marker file beside each folder says it is complete.
 */
export async function ensurePlayersDataset(name: string, root: string, sizes: Sizes): Promise<PlayersDataset> {
  const slug = name.replace(/[^a-z0-9]+/gi, "-");
  const players = seedPlayers(sizes.leaderboardPlayers, { seed, withHistory: true, balance: "random" });
  const playerIds = players.map((player) => player.id);
  const asWritten = join(root, slug, "as-written");
  const compacted = join(root, slug, "compacted");
  const compacts = (await createGameSystem(name)).compact !== undefined;
  if (!existsSync(`${asWritten}.complete`)) {
    // What an interrupted build left is thrown away.
    await rm(asWritten, { recursive: true, force: true });
    await mkdir(asWritten, { recursive: true });
    await withGameSystem(name, asWritten, async (system) => {
      await system.load(players);
      await play(system, { loops: 64, ops: sizes.startHistoryOps, players: playerIds, actors: "random", seed, prefix: "history" });
      await assertConserved(name, system, tokensOf(players), players.length);
    });
    await writeFile(`${asWritten}.complete`, "");
  }
  if (compacts && !existsSync(`${compacted}.complete`)) {
    await rm(compacted, { recursive: true, force: true });
    await cp(asWritten, compacted, { recursive: true });
    await withGameSystem(name, compacted, async (system) => system.compact?.());
    await writeFile(`${compacted}.complete`, "");
  }
  return { asWritten, compacted: compacts ? compacted : null, playerIds };
}

/** A benchmark of a game that loses tokens is worthless: every token is where it should be. */
export async function assertConserved(name: string, system: GameSystem, tokens: number, players: number): Promise<void> {
  const totals = await system.totals();
  const expected = { players, tokens, openGames: 0 };
  const actual = { players: totals.players, tokens: totals.tokens, openGames: totals.openGames };
  if (JSON.stringify(actual) !== JSON.stringify(expected) || totals.audited === false) {
    throw new Error(`${name} ended with ${JSON.stringify(totals)}, expected ${JSON.stringify(expected)} and a passing audit`);
  }
}
