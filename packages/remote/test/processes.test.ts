import { createGame } from "@store/game";
import { checkAfterCrash, type Acknowledged } from "@store/game/testing";
import { openStore, toKeyValueStore } from "@store/log";
import { describe, expect, it } from "vitest";
import { runFixture, type Child } from "./child.js";
import { digest, readAll } from "./fixtures/mirror.js";
import { socketPath, tempDir } from "./helpers.js";

const PROCESSES = 4;
const PLAYERS = 16;
/** Acknowledged operations each living client must add in each phase (counted, never timed). */
const ACKS_PER_PHASE = 40;
const HOUR_MS = 3_600_000;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

const isAck = (line: string): boolean => line.startsWith("ack ");
const acks = (child: Child): number => child.lines.filter(isAck).length;

async function startServer(dir: string, path: string): Promise<Child> {
  const server = runFixture("serve", [dir, path]);
  await server.waitFor((line) => line.startsWith("listening"));
  return server;
}

/** Each of `clients` acknowledges `count` more operations from now on. */
async function progress(clients: readonly Child[], count: number): Promise<void> {
  await Promise.all(clients.map((client) => client.waitForCount(isAck, acks(client) + count)));
}

describe("4 client processes x 16 players on one @store/log server", () => {
  it("kill -9 of a client: the others go on; kill -9 of the server and a restart: clients reconnect; every acknowledged operation is there once, no key applied twice, audit holds, every subscriber ends with the server's state", async () => {
    const seed = Number(process.env.STORE_TEST_SEED ?? Date.now() % 1_000_000);
    const context = `seed ${seed} (STORE_TEST_SEED=${seed} replays the choices)`;
    const next = random(seed);
    const dir = await tempDir();
    const path = await socketPath();
    let server = await startServer(dir, path);
    const clients = Array.from({ length: PROCESSES }, (_, index) => runFixture("players", [path, String(index), String(PROCESSES), String(PLAYERS), String(seed)]));
    await Promise.all(clients.map((client) => client.waitFor((line) => line === "ready")));
    await progress(clients, ACKS_PER_PHASE);

    // A client killed at a random point: the others go on.
    const victim = clients[Math.floor(next() * PROCESSES)]!;
    const living = clients.filter((client) => client !== victim);
    await victim.waitForCount(isAck, acks(victim) + Math.floor(next() * ACKS_PER_PHASE));
    victim.process.kill("SIGKILL");
    await victim.exited;
    await progress(living, ACKS_PER_PHASE);

    // The server killed with requests in flight, then restarted on its folder and socket path.
    server.process.kill("SIGKILL");
    await server.exited;
    server = await startServer(dir, path);
    await Promise.all(living.map((client) => client.waitForCount((line) => line === "conn connected", 2)));
    await progress(living, ACKS_PER_PHASE);

    // The players stop; once all have, every mirror must equal the server's state.
    for (const client of living) client.tell("stop");
    await Promise.all(living.map((client) => client.waitFor((line) => line.startsWith("players-done"))));
    for (const client of living) client.tell("verify");
    const mirrors = await Promise.all(living.map((client) => client.waitFor((line) => line.startsWith("mirror "))));
    await Promise.all(living.map((client) => client.exited));
    server.tell("stop");
    expect(await server.exited, context).toEqual({ code: 0, signal: null });

    const store = await openStore(dir);
    const kv = toKeyValueStore(store);
    try {
      const { seq } = await kv.stats();
      const expected = `mirror ${seq} ${digest(await readAll(kv))} equal`;
      for (const line of mirrors) expect(line, context).toBe(expected);
      for (const client of living) expect(client.lines, context).toContain("conn disconnected STORE_UNAVAILABLE");

      const acknowledged = clients.flatMap((client) => client.lines.filter(isAck).map((line) => JSON.parse(line.slice(4)) as Acknowledged));
      const keys = acknowledged.map(({ op }) => op.key);
      expect(new Set(keys).size, `${context}: an operation was acknowledged twice`).toBe(keys.length);
      // A clock past every expiry: createGame refunds the games the killed client left open.
      const game = await createGame(kv, { now: () => Date.now() + 2 * HOUR_MS, sweepIntervalMs: 0 });
      try {
        expect(await checkAfterCrash(game, kv, acknowledged), context).toBe(acknowledged.length);
      } finally {
        await game.close();
      }
      const retries = living.map((client) => client.lines.find((line) => line.startsWith("players-done"))!.slice("players-done ".length));
      const rebuilds = living.map((client) => client.lines.filter((line) => line.startsWith("mirror-rebuild")).length);
      console.log(`${context}: ${acknowledged.length} acknowledged operations; retries after the server's kill per living client: ${retries.join(" ")}; mirror rebuilds: ${rebuilds.join(" ")}`);
    } finally {
      await store.close();
    }
  });
});
