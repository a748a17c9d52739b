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
 * share of the players (loops 0-15, 16-31, ... of 64) through their own connection, the warm-up
 * and then the measured plan in the same processes. This process connects too, for the import before the run and the audit after it, but not during the run (its
 * game layer would follow every change, work no shard of a bot does for a manager).
 */
class RemoteGame implements GameSystem {
  readonly #modules: Modules;
  readonly #processes: number;
  #server: LineChild | undefined;
  #socketDir: string | undefined;
  #socketPath: string | undefined;
  #local: KvGame | undefined;
  /** Client processes that played `warmUp` and wait, connected, to play the next `play`. */
  #warmClients: LineChild[] | undefined;
  /** Conflicts of the client processes' measured plays and of this process's closed connections. */
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

  /**
   * Starts the client processes and has each play its share of `options` unmeasured; they stay
   * connected, idle, for the next `play`, which they measure warm (see socket-client.ts).
   */
  async warmUp(options: PlayOptions): Promise<void> {
    this.#checkSplit(options);
    if (this.#warmClients !== undefined) throw new Error("the socket game system's clients are warmed up already: play() before warming up again");
    await this.#closeGame();
    const clients = this.#startClients((index) => [JSON.stringify(this.#share(options, index))]);
    this.#warmClients = clients;
    await Promise.all(clients.map((client) => client.line("warmed ")));
  }

  /** Plays `options` in the warmed-up client processes, or in new ones if `warmUp` was not called. */
  async play(options: PlayOptions): Promise<PlayOutcome> {
    this.#checkSplit(options);
    await this.#closeGame();
    const clients = this.#warmClients ?? this.#startClients(() => []);
    this.#warmClients = undefined;
    const results = await runClients<SocketClientResult>(clients, (index) => JSON.stringify(this.#share(options, index)));
    this.#clientConflicts += results.reduce((sum, result) => sum + result.conflicts, 0);
    const { latencies, elapsedMs } = combine(results);
    return {
      latenciesMs: latencies,
      elapsedMs,
      transfers: results.reduce((sum, result) => sum + result.transfers, 0),
      coinFlips: results.reduce((sum, result) => sum + result.coinFlips, 0),
      warmedUpOps: results.reduce((sum, result) => sum + result.warmedUpOps, 0),
    };
  }

  #checkSplit(options: PlayOptions): void {
    if (options.loops % this.#processes !== 0 || options.ops % this.#processes !== 0) {
      throw new TypeError(`${options.loops} players and ${options.ops} operations do not split evenly over ${this.#processes} processes`);
    }
  }

  /** Client process `index`'s loops of `options` (16 to 31 of 64 for the second of 4), and its share of the operations. */
  #share(options: PlayOptions, index: number): PlayOptions {
    const loops = options.loops / this.#processes;
    return { ...options, loops, firstLoop: (options.firstLoop ?? 0) + index * loops, ops: options.ops / this.#processes };
  }

  #startClients(args: (index: number) => readonly string[]): LineChild[] {
    const socketPath = this.#opened().socketPath;
    return Array.from({ length: this.#processes }, (_, index) =>
      startScript(new URL("./socket-client.ts", import.meta.url), [socketPath, ...args(index)]),
    );
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
    // Clients warmed up for a play that never came (the run failed in between) wait for "go": not for ever.
    for (const client of this.#warmClients ?? []) client.process.kill("SIGKILL");
    this.#warmClients = undefined;
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

  #opened(): { readonly server: LineChild; readonly socketPath: string } {
    if (this.#server === undefined || this.#socketPath === undefined) throw new Error("the socket game system is not open");
    return { server: this.#server, socketPath: this.#socketPath };
  }
}

/** Loaded lazily, so that a run without a built `@store/remote` reports this row unavailable. */
export async function createRemoteGame(processes: number): Promise<GameSystem> {
  const [{ createGame }, { connectStore }] = await Promise.all([import("@store/game"), import("@store/remote")]);
  return new RemoteGame({ createGame, connectStore }, processes);
}
