import { createGame, type Game } from "@store/game";
import { openStore, toKeyValueStore } from "@store/log";
import { describe, expect, it } from "vitest";
import { connectStore } from "../src/index.js";
import { runFixture } from "./child.js";
import { Changes } from "./events.js";
import { socketPath, tempDir } from "./helpers.js";

const FAST = { reconnectDelayMsMin: 1, reconnectDelayMsMax: 20 };

/** A player's result written straight into the folder while no server runs (the shard does not see it). */
/**
 * A result written while no server runs, then compacted away with no backup kept: the restarted
 * server can resume no subscription from before it (neither its history nor the log files hold it).
 */
async function offlineResult(dir: string, player: string, score: number): Promise<void> {
  const store = await openStore(dir, { backupsMax: 0 });
  const game = await createGame(toKeyValueStore(store), { sweepIntervalMs: 0 });
  await game.players.recordResult(player, { type: "duel", outcome: "win", score });
  await game.close();
  await store.compact();
  await store.close();
}

function top(game: Game): Array<[string, number]> {
  return game.leaderboard.top(10).map((entry) => [entry.id, entry.score]);
}

describe("@store/game's leaderboard through two server kills in a row", () => {
  it("a rebuild cut by the second kill is tried again once the client reconnects: the leaderboard is not left stale", async () => {
    const dir = await tempDir();
    const path = await socketPath();
    let server = runFixture("serve", [dir, path]);
    await server.waitFor((line) => line.startsWith("listening"));
    const changes = new Changes();
    const client = await connectStore({ socketPath: path, ...FAST, onConnectionChange: changes.push });
    const errors: string[] = [];
    let reportedTwice: () => void = () => undefined;
    const twice = new Promise<void>((resolve) => (reportedTwice = resolve));
    const game = await createGame(client, {
      sweepIntervalMs: 0,
      onError: (error) => {
        errors.push(String((error as { code?: unknown }).code));
        if (errors.length === 2) reportedTwice();
      },
    });
    await game.players.recordResult("amy", { type: "duel", outcome: "win", score: 5 });
    await game.catchUp();
    expect(top(game)).toEqual([["amy", 5]]);

    // Kill 1, and a write the shard misses: the restarted log cannot resume its subscription
    // (STORE_HISTORY_GONE), so the game rebuilds its leaderboard, and this server dies at the
    // rebuild's first scan (kill 2).
    server.process.kill("SIGKILL");
    await server.exited;
    await changes.waitFor("disconnected");
    await offlineResult(dir, "bob", 9);
    server = runFixture("serve", [dir, path, "die-on-scan"]);
    await server.waitFor((line) => line.startsWith("listening"));
    expect(await server.exited).toEqual({ code: null, signal: "SIGKILL" });
    await twice;
    expect(errors).toEqual(["STORE_HISTORY_GONE", "STORE_UNAVAILABLE"]);

    // Another missed write, then a server that stays.
    await offlineResult(dir, "cy", 7);
    server = runFixture("serve", [dir, path]);
    await server.waitFor((line) => line.startsWith("listening"));
    await game.catchUp();
    expect(top(game)).toEqual([
      ["bob", 9],
      ["cy", 7],
      ["amy", 5],
    ]);

    // And it follows live writes again.
    await game.players.recordResult("dee", { type: "duel", outcome: "win", score: 1 });
    await game.catchUp();
    expect(top(game).at(-1)).toEqual(["dee", 1]);
    await game.close();
    await client.close();
    server.tell("stop");
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});
