// The players of the game scenario: @store/game/testing's kill -9 workload (64 concurrent players:
// transfers, coin flips, duels, house games, daily claims, games left to expire) on the @store/log
// folder in argv[2], until it is killed. argv: dir, clockStartMs, round, seed, compact ("1": compact
// every 20 to 100 ms as well). The game clock runs from clockStartMs at the real pace. Prints
// (printNow, so a kill loses nothing acknowledged):
//   open                         the game layer is ready
//   ack <{ op, result } as JSON>  an operation is acknowledged (durable), with its result
//   refused <code>               an operation was refused (it applied nothing)
import { createGame } from "@store/game";
import { runCrashWorkload } from "@store/game/testing";
import { openStore, toKeyValueStore } from "@store/log";
import { Rng } from "@store/testkit";
import { printNow } from "./print-now.js";

const [dir = "", clockStartText = "0", roundText = "0", seedText = "0", compactText = "0"] = process.argv.slice(2);
const startedAtMs = Date.now();
const now = (): number => Number(clockStartText) + (Date.now() - startedAtMs);
const store = await openStore(dir, { segmentBytesMax: 64 * 1024 });
const game = await createGame(toKeyValueStore(store), { now, sweepIntervalMs: 20, dailyCooldownMs: 300, gameTtlMs: 2000 });
printNow("open");

async function compactor(rng: Rng): Promise<void> {
  for (;;) {
    await new Promise<void>((resolve) => setTimeout(resolve, 20 + rng.int(80)));
    await store.compact();
  }
}

await Promise.all([
  runCrashWorkload(game, {
    round: Number(roundText),
    seed: Number(seedText),
    now,
    onAck: (op, result) => {
      printNow(`ack ${JSON.stringify({ op, result })}`);
    },
    onRefused: (_op, code) => {
      printNow(`refused ${code}`);
    },
  }),
  ...(compactText === "1" ? [compactor(new Rng(Number(seedText)))] : []),
]);
