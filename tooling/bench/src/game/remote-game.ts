import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KvGame } from "./kv-game.js";
import type { PlayOptions, PlayOutcome } from "./play.js";
import type { SocketClientResult } from "./socket-client.js";
import { combine, runClients, startScript, type LineChild } from "./socket-load.js";
import type { GameSystem, OpenTiming, PlayerSeed, RankedPlayer, Totals, WriterCounters } from "./system.js";

type Modules = {
  readonly createGame: typeof import("@store/game").createGame;
  readonly connectStore: typeof import("@store/remote").connectStore;
};

/**
 * `@store/game` through `@store/remote`'s socket, as a sharded bot runs it: a server process owns
 * the @store/log folder (sync "always") and serves it; `processes` client processes each run their
 * share of the players (loops 0-15, 16-31, ... of 64) through their own connection. This process
 * connects too, for the import before the run and the audit after it, but not during the run (its
 * game layer would follow every change, work no shard of a bot does for a manager).
 */
class RemoteGame implements GameSystem {
  readonly #modules: Modules;
  readonly #processes: number;
  #server: LineChild | undefined;
  #socketDir: string | undefined;
  #socketPath: string | undefined;
  #local: KvGame | undefined;
  /** Conflicts of the client processes and of this process's closed connections. */
  #clientConflicts = 0;

  constructor(modules: Modules, processes: number) {
    this.#modules = modules;
    this.#processes = processes;
  }

  async open(dir: string): Promise<OpenTiming> {
    const start = performance.now();
    // A Unix socket's path is limited to ~107 bytes: a short folder of its own, not the run's.
    this.#socketDir = await mkdtemp(join(tmpdir(), "bench-sock-"));
    const socketPath = join(this.#socketDir, "store.sock");
    this.#socketPath = socketPath;
    this.#server = startScript(new URL("./socket-server.ts", import.meta.url), [join(dir, "data"), socketPath]);
    await this.#server.line("listening");
    const storeOpenMs = performance.now() - start;
    await this.#game();
    return { storeOpenMs };
  }

  /** This process's own game on the socket: opened with the system, closed while the clients play, opened again when needed. */
  async #game(): Promise<KvGame> {
    if (this.#local !== undefined) return this.#local;
    const socketPath = this.#socketPath;
    if (socketPath === undefined) throw new Error("the socket game system is not open");
    const { connectStore, createGame } = this.#modules;
    const local = new KvGame(
      {
        open: async () => {
          const kv = await connectStore({ socketPath, name: "bench-parent" });
          return { kv, close: () => kv.close() };
        },
        compacts: false,
      },
      createGame,
    );
    await local.open(socketPath);
    this.#local = local;
    return local;
  }

  async #closeGame(): Promise<void> {
    this.#clientConflicts += this.#local?.conflicts() ?? 0;
    await this.#local?.close();
    this.#local = undefined;
  }

  async play(options: PlayOptions): Promise<PlayOutcome> {
    if (options.loops % this.#processes !== 0 || options.ops % this.#processes !== 0) {
      throw new TypeError(`${options.loops} players and ${options.ops} operations do not split evenly over ${this.#processes} processes`);
    }
    await this.#closeGame();
    const loops = options.loops / this.#processes;
    const socketPath = this.#socketPath!;
    const clients = Array.from({ length: this.#processes }, (_, index) => {
      const plan: PlayOptions = { ...options, loops, firstLoop: (options.firstLoop ?? 0) + index * loops, ops: options.ops / this.#processes };
      return startScript(new URL("./socket-client.ts", import.meta.url), [socketPath, JSON.stringify(plan)]);
    });
    const results = await runClients<SocketClientResult>(clients, "");
    this.#clientConflicts += results.reduce((sum, result) => sum + result.conflicts, 0);
    const { latencies, elapsedMs } = combine(results);
    return {
      latenciesMs: latencies,
      elapsedMs,
      transfers: results.reduce((sum, result) => sum + result.transfers, 0),
      coinFlips: results.reduce((sum, result) => sum + result.coinFlips, 0),
    };
  }

  async writerCounters(): Promise<WriterCounters> {
    const answer = await this.#opened().server.ask("counters", "counters ");
    return JSON.parse(answer.slice("counters ".length)) as WriterCounters;
  }

  async load(players: readonly PlayerSeed[]): Promise<void> {
    await (await this.#game()).load(players);
  }

  async transfer(from: string, to: string, amount: number, idempotencyKey: string): Promise<void> {
    await (await this.#game()).transfer(from, to, amount, idempotencyKey);
  }

  async createCoinFlip(gameId: string, players: readonly [string, string], stake: number, idempotencyKey: string): Promise<void> {
    await (await this.#game()).createCoinFlip(gameId, players, stake, idempotencyKey);
  }

  async settleCoinFlip(gameId: string, winner: string, loser: string, stake: number, idempotencyKey: string): Promise<void> {
    await (await this.#game()).settleCoinFlip(gameId, winner, loser, stake, idempotencyKey);
  }

  // The leaderboard lives in each process's game layer; this row is measured by game-ops only.
  top(n: number): readonly RankedPlayer[] {
    return this.#openedGame().top(n);
  }

  rank(id: string): number | undefined {
    return this.#openedGame().rank(id);
  }

  async totals(): Promise<Totals> {
    return (await this.#game()).totals();
  }

  conflicts(): number {
    return (this.#local?.conflicts() ?? 0) + this.#clientConflicts;
  }

  async close(): Promise<void> {
    await this.#closeGame();
    if (this.#server !== undefined) await this.#server.ask("stop", "stopped");
    if (this.#socketDir !== undefined) await rm(this.#socketDir, { recursive: true, force: true });
    this.#server = undefined;
    this.#socketDir = undefined;
    this.#socketPath = undefined;
  }

  #openedGame(): KvGame {
    if (this.#local === undefined) throw new Error("the socket game system has no game layer open in this process (open, load or totals opens one)");
    return this.#local;
  }

  #opened(): { readonly server: LineChild } {
    if (this.#server === undefined) throw new Error("the socket game system is not open");
    return { server: this.#server };
  }
}

/** Loaded lazily, so that a run without a built `@store/remote` reports this row unavailable. */
export async function createRemoteGame(processes: number): Promise<GameSystem> {
  const [{ createGame }, { connectStore }] = await Promise.all([import("@store/game"), import("@store/remote")]);
  return new RemoteGame({ createGame, connectStore }, processes);
}
