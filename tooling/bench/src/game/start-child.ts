/**
 * Child process of the game start-up workload: open a game folder holding many players until the
 * leaderboard can answer (for @store/game: the log opened, `createGame` ready with its indexes
 * built; for SQLite: the database opened), ask it for the top 10, and print how long that took and
 * the process's peak memory as one JSON line.
 * Usage: start-child.ts <system name> <dir> <players>
 */
import { createGameSystem } from "./systems.js";

const [name, dir, playersText] = process.argv.slice(2);
if (name === undefined || dir === undefined || playersText === undefined) {
  throw new TypeError(`usage: start-child.ts <system> <dir> <players>, got ${JSON.stringify(process.argv.slice(2))}`);
}
const system = await createGameSystem(name);
const rssBeforeBytes = process.memoryUsage().rss;
const start = performance.now();
const { storeOpenMs } = await system.open(dir);
const top = system.top(10);
const readyMs = performance.now() - start;
const expected = Math.min(10, Number(playersText));
if (top.length !== expected) throw new Error(`${name} listed ${top.length} players in its top 10 of ${playersText} in ${dir}`);
const peakRssBytes = process.resourceUsage().maxRSS * 1_024;
await system.close();
process.stdout.write(`${JSON.stringify({ readyMs, storeOpenMs, peakRssBytes, rssBeforeBytes })}\n`);
