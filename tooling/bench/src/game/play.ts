import { randomInt, seededRandom } from "../random.js";
import type { GameSystem } from "./system.js";

export interface PlayOptions {
  /** Concurrent players, each an async loop awaiting one operation after another. */
  readonly loops: number;
  /**
   * The number of the first loop (default 0): a process running loops 16 to 31 of 64 gets the
   * rounds those loops get in one process, so a run split over processes plays the same game.
   */
  readonly firstLoop?: number;
  /** Operations in all (a coin flip is two: create, then settle); the last coin flip may add one. */
  readonly ops: number;
  readonly players: readonly string[];
  /** "own": loop i always acts as players[i]; "random": each round acts as a random player. */
  readonly actors: "own" | "random";
  readonly seed: number;
  /** Makes game ids and idempotency keys unique to this run. */
  readonly prefix: string;
}

export interface PlayOutcome {
  readonly latenciesMs: readonly number[];
  readonly elapsedMs: number;
  readonly transfers: number;
  readonly coinFlips: number;
  /**
   * Operations the processes that played this had played unmeasured just before, as they report
   * it (the socket row's clients); absent: the caller played the warm-up itself and counts it.
   */
  readonly warmedUpOps?: number;
}

/** One round of a player, decided before it runs so that every system gets the same rounds. */
interface Round {
  readonly self: string;
  readonly other: string;
  readonly amount: number;
  readonly coinFlip: boolean;
  readonly selfWins: boolean;
}

/** Each operation starts on its own turn of the event loop, as a Discord interaction arrives. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function nextRound(random: () => number, options: PlayOptions, loop: number): Round {
  const count = options.players.length;
  const selfIndex = options.actors === "own" ? loop : randomInt(random, count);
  let otherIndex = randomInt(random, count - 1);
  if (otherIndex >= selfIndex) otherIndex += 1;
  return {
    self: options.players[selfIndex]!,
    other: options.players[otherIndex]!,
    amount: 1 + randomInt(random, 10),
    coinFlip: random() < 0.5,
    selfWins: random() < 0.5,
  };
}

/**
 * `loops` players doing transfers (half the rounds) and coin flips (a game created with both
 * stakes escrowed, then settled: the winner takes the pot) until `ops` operations were issued.
 * Every operation carries its own idempotency key. Latency runs from the operation's arrival (before
 * the turn it waits for) to its durable result.
 */
export async function play(system: GameSystem, options: PlayOptions): Promise<PlayOutcome> {
  const firstLoop = options.firstLoop ?? 0;
  if (options.actors === "own" && options.players.length < firstLoop + options.loops) {
    throw new TypeError(`play(): loops ${firstLoop} to ${firstLoop + options.loops - 1} need as many players, got ${options.players.length}`);
  }
  const latenciesMs: number[] = [];
  let issued = 0;
  let transfers = 0;
  let coinFlips = 0;
  const timed = async (operation: () => Promise<void>): Promise<void> => {
    const before = performance.now();
    await nextTurn();
    await operation();
    latenciesMs.push(performance.now() - before);
  };
  const loop = async (index: number): Promise<void> => {
    const random = seededRandom(options.seed * 1_000 + index);
    for (let n = 0; issued < options.ops; n++) {
      const round = nextRound(random, options, index);
      const id = `${options.prefix}-${index}-${n}`;
      if (!round.coinFlip) {
        issued += 1;
        transfers += 1;
        await timed(() => system.transfer(round.self, round.other, round.amount, `${id}-transfer`));
        continue;
      }
      issued += 2;
      coinFlips += 1;
      await timed(() => system.createCoinFlip(id, [round.self, round.other], round.amount, `${id}-create`));
      const [winner, loser] = round.selfWins ? [round.self, round.other] : [round.other, round.self];
      await timed(() => system.settleCoinFlip(id, winner, loser, round.amount, `${id}-settle`));
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: options.loops }, (_, index) => loop(firstLoop + index)));
  return { latenciesMs, elapsedMs: performance.now() - start, transfers, coinFlips };
}
