import { openStore, toKeyValueStore } from "@store/log";
import { describe, expect, it } from "vitest";
import { createGame } from "../src/index.js";
import { checkAfterCrash, runCrashWorkload, type Acknowledged } from "../src/testing/index.js";
import { runFixture } from "./child.js";
import { Clock, memoryGame, tempDir } from "./helpers.js";

const HOUR_MS = 3_600_000;

/** A seeded sequence for the kill points, so a failing round can be replayed (the seed is in the message). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

describe("kill -9 of a process with 64 concurrent players", () => {
  it("after every reopen: audit() holds, every acknowledged operation is there, a repeat applies nothing, expired games are refunded", async () => {
    const dir = await tempDir();
    const seed = Number(process.env.STORE_TEST_SEED ?? Date.now() % 1_000_000);
    const next = random(seed);
    const start = Date.UTC(2026, 10, 1);
    const everAcknowledged: Acknowledged[] = [];
    for (let round = 0; round < 6; round += 1) {
      const context = `seed ${seed}, round ${round}`;
      // Each round runs an hour later on the game clock: the reopen below is half an hour after
      // the child started, past every expiry it set (its games live 2 s, or 30 ms when left).
      const base = start + round * HOUR_MS;
      const child = await runFixture("players-child", [dir, String(base), String(round)]);
      await child.waitFor((line) => line === "open");
      const killAfter = 20 + Math.floor(next() * 600);
      await child.waitFor(() => child.lines.filter((line) => line.startsWith("ack ")).length >= killAfter);
      child.process.kill("SIGKILL");
      await child.exited;
      const acknowledged = child.lines.filter((line) => line.startsWith("ack ")).map((line) => JSON.parse(line.slice(4)) as Acknowledged);
      expect(acknowledged.length, context).toBeGreaterThanOrEqual(killAfter);
      everAcknowledged.push(...acknowledged);

      const clock = new Clock();
      clock.ms = base + HOUR_MS / 2;
      const kv = toKeyValueStore(await openStore(dir));
      const game = await createGame(kv, { now: clock.now, sweepIntervalMs: 0 });
      try {
        // Every round's acknowledged operations, again with their keys: the first result, no write.
        await expect(checkAfterCrash(game, kv, everAcknowledged), context).resolves.toBe(everAcknowledged.length);
      } finally {
        await game.close();
        await kv.close();
      }
    }
  });
});

describe("the crash workload's check", () => {
  it("passes after a clean run, and fails when an acknowledged result is not what the store answers, or when a repeat would decide again", async () => {
    const { game, kv, clock } = await memoryGame({ dailyCooldownMs: 300, gameTtlMs: 2000 });
    const acknowledged: Acknowledged[] = [];
    await runCrashWorkload(game, { round: 0, now: clock.now, players: 8, opsPerPlayer: 40, onAck: (op, result) => acknowledged.push({ op, result }) });
    expect(acknowledged.map((entry) => entry.op.kind)).toEqual(expect.arrayContaining(["flip", "join", "settle-drawn", "settle", "daily", "transfer"]));
    clock.advance(3_600_000);
    await game.sweep();
    await expect(checkAfterCrash(game, kv, acknowledged)).resolves.toBe(acknowledged.length);
    const flip = acknowledged.find((entry) => entry.op.kind === "flip")!;
    await expect(checkAfterCrash(game, kv, [{ ...flip, result: { ...(flip.result as object), paid: -1 } }])).rejects.toThrow(/resolved first with/u);
    await expect(checkAfterCrash(game, kv, [{ op: { kind: "grant", key: "never-acknowledged", player: "p0", amount: 1 }, result: null }])).rejects.toThrow(/resolved first with/u);
    // An operation whose record is gone (lost, or swept) runs again: a flip must draw, and it may not.
    await expect(checkAfterCrash(game, kv, [{ ...flip, op: { ...flip.op, key: "lost-flip" } }])).rejects.toThrow(/decided its outcome again/u);
  });
});

describe("durable expiry on @store/log", () => {
  it("a game that expires while the store is closed is refunded at the next open, exactly once", async () => {
    const dir = await tempDir();
    const clock = new Clock();
    const options = { now: clock.now, sweepIntervalMs: 0 };
    let kv = toKeyValueStore(await openStore(dir));
    let game = await createGame(kv, options);
    await game.tokens.grant("alice", 40);
    await game.tokens.grant("bob", 40);
    await game.games.create({ id: "duel", type: "duel", players: ["alice", "bob"], stakes: { alice: 15, bob: 25 }, expiresAtMs: clock.ms + 10 * 60_000 });
    await game.close();
    await kv.close();

    clock.advance(10 * 60_000);
    const refundAtMs = clock.ms;
    for (let open = 0; open < 3; open += 1) {
      kv = toKeyValueStore(await openStore(dir));
      game = await createGame(kv, options);
      expect(await game.games.get("duel")).toBeUndefined();
      expect(await game.tokens.balance("alice")).toBe(40);
      expect(await game.tokens.balance("bob")).toBe(40);
      const refunds = (await game.tokens.account("bob")).history.filter((movement) => movement.kind === "refund");
      expect(refunds).toEqual([expect.objectContaining({ amount: 25, ref: "duel", atMs: refundAtMs }) as unknown]);
      expect(await game.audit()).toMatchObject({ ok: true, escrow: 0 });
      await game.close();
      await kv.close();
      clock.advance(1000);
    }
  });
});
