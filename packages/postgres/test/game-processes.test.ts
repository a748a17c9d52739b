import { createGame } from "@store/game";
import { checkAfterCrash, type Acknowledged } from "@store/game/testing";
import { scanAll } from "@store/kv";
import { expect, it } from "vitest";
import { openPostgresStore } from "../src/index.js";
import { runFixture, type Child } from "./helpers/child.js";
import { describeOnServer, freshSchema } from "@store/testkit/postgres";
import { hashOf } from "./fixtures/hash.js";

// Four bot processes, each with 16 concurrent players (the same 16 player ids in every process, so
// their operations conflict across processes) doing transfers, coin flips, duels, house games,
// daily claims and games left to expire through @store/game on one database; one is SIGKILLed
// after a seeded number of acknowledged operations. Then: audit() holds (with every expired game
// refunded), every acknowledged operation run again with its idempotency key returns its first
// result and writes nothing (none applied twice, none lost), and every surviving process's
// subscriber holds exactly the table.

const HOUR_MS = 3_600_000;
const PROCESSES = 4;
const OPS_PER_PLAYER = 12;

describeOnServer("four processes through @store/game on one database, one SIGKILLed", "game", (database) => {
  it("audit() holds, no idempotency key applied twice, every subscriber's view equals the table", async () => {
    const schema = freshSchema();
    const seed = Number(process.env["STORE_TEST_SEED"] ?? Date.now() % 1_000_000);
    const context = `seed ${seed}`;
    const base = Date.UTC(2026, 10, 1);
    // Created once before the children, so that they do not all race to create the schema (they may: the migration takes a lock).
    await (await openPostgresStore({ connectionString: database().url }, { schema })).close();
    const children: Child[] = [];
    for (let round = 0; round < PROCESSES; round += 1) {
      children.push(await runFixture("game-child", [database().url, schema, String(round), String(base), String(OPS_PER_PLAYER)]));
    }
    const victim = children[0]!;
    const survivors = children.slice(1);
    try {
      await Promise.all(children.map((child) => child.waitFor((line) => line === "open")));
      const killAfter = 10 + (seed % 60);
      await victim.waitFor(() => victim.lines.filter((line) => line.startsWith("ack ")).length >= killAfter);
      victim.process.kill("SIGKILL");
      await victim.exited;
      await Promise.all(survivors.map((child) => child.waitFor((line) => line === "done")));

      const acknowledged = children.flatMap((child) => child.lines.filter((line) => line.startsWith("ack ")).map((line) => JSON.parse(line.slice(4)) as Acknowledged));
      expect(acknowledged.length, context).toBeGreaterThan(killAfter);
      const kv = await openPostgresStore({ connectionString: database().url }, { schema });
      // An hour later on the game clock: every game left (or cut off by the kill) has expired and
      // is refunded by createGame's first sweep.
      const game = await createGame(kv, { now: () => base + HOUR_MS, sweepIntervalMs: 0 });
      try {
        await expect(checkAfterCrash(game, kv, acknowledged), context).resolves.toBe(acknowledged.length);
        const { seq } = await kv.stats();
        const table = new Map<string, string>();
        for await (const entry of scanAll(kv)) table.set(entry.key, JSON.stringify(entry.value));
        for (const child of survivors) child.send(`view ${seq}`);
        const views = await Promise.all(survivors.map((child) => child.waitFor((line) => line.startsWith("view "))));
        for (const view of views) expect(view, context).toBe(`view ${table.size} ${hashOf(table)}`);
      } finally {
        await game.close();
        await kv.close();
      }
    } finally {
      for (const child of children) child.process.kill("SIGKILL");
      await Promise.all(children.map((child) => child.exited));
    }
  });
});
