// `pnpm --filter @store/bench run profile:postgres [--ops 4000]`: where the time of @store/game on
// PostgreSQL goes, in the game-ops workload's load (64 players, transfers and coin flips, the same
// seeded rounds), with the store's group commit and without it (`commitGroupBatchesMax: 1`, one
// transaction per batch). It times every driver call by statement (the store names its prepared
// statements; BEGIN and COMMIT by their text), every KeyValueStore call of the game layer, and
// reads the server's WAL counters (`pg_stat_wal`, server-wide: anything else on the server adds
// to them) with `track_wal_io_timing` on for the store's connections. A profile, not part of
// `pnpm bench`: the monkey-patched driver costs a little time itself.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createGame } from "@store/game";
import type { KeyValueStore } from "@store/kv";
import { openPostgresStore, type PostgresStoreOptions } from "@store/postgres";
import pg from "pg";
import { postgresUrl } from "./env.js";
import { assertConserved } from "./game/dataset.js";
import { KvGame } from "./game/kv-game.js";
import { play } from "./game/play.js";
import { withAdmin } from "./game/postgres-game.js";
import { seedPlayers, tokensOf } from "./game/seeds.js";
import { percentile } from "./stats.js";

const { values } = parseArgs({ options: { ops: { type: "string", default: "4000" } } });
const ops = Number(values.ops);
const players = 64;

/** Count and total ms per name, while `on`. */
class Tally {
  on = false;
  readonly #entries = new Map<string, { count: number; ms: number }>();
  add(name: string, ms: number): void {
    if (!this.on) return;
    const entry = this.#entries.get(name) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += ms;
    this.#entries.set(name, entry);
  }
  get(name: string): { count: number; ms: number } {
    return this.#entries.get(name) ?? { count: 0, ms: 0 };
  }
  names(): string[] {
    return [...this.#entries.keys()];
  }
  total(): number {
    return [...this.#entries.values()].reduce((sum, entry) => sum + entry.count, 0);
  }
}

/** The current profile's driver calls. */
let statements = new Tally();
// Every query of every pg client, named after the store's statement ("store:write" -> "write").
type Query = (this: pg.Client, ...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with apply() on the client
const originalQuery = pg.Client.prototype.query as unknown as Query;
(pg.Client.prototype as unknown as { query: Query }).query = function timedQuery(this: pg.Client, ...args: unknown[]): unknown {
  const config = args[0] as { name?: string; text?: string } | string;
  const name = typeof config === "string" ? config : config.name !== undefined && config.name !== "" ? config.name.split(":").pop()! : (config.text ?? "?");
  const label = name.split(" ")[0]!;
  const tally = statements;
  const started = performance.now();
  // pg.Pool's own query() calls the client's with a callback (the store's single-statement reads).
  const callback = args.at(-1);
  if (typeof callback === "function") {
    args[args.length - 1] = (...results: unknown[]): unknown => {
      tally.add(label, performance.now() - started);
      return (callback as (...results: unknown[]) => unknown)(...results);
    };
  }
  const result = originalQuery.apply(this, args);
  if (result instanceof Promise) {
    void result.then(
      () => {
        tally.add(label, performance.now() - started);
      },
      () => undefined,
    );
  }
  return result;
};

/** The KeyValueStore with each call timed, from the game layer's call to its answer (pool waits included). */
function timed(kv: KeyValueStore, calls: Tally): KeyValueStore {
  const wrap = <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await call(...args);
      } finally {
        calls.add(name, performance.now() - started);
      }
    };
  return {
    get: wrap("get", (key: string) => kv.get(key)),
    getMany: wrap("getMany", (keys: readonly string[]) => kv.getMany(keys)),
    scan: (options) => kv.scan(options),
    batch: wrap("batch", (batch: Parameters<KeyValueStore["batch"]>[0]) => kv.batch(batch)),
    subscribe: (listener, options) => kv.subscribe(listener, options),
    stats: () => kv.stats(),
    close: () => kv.close(),
  };
}

interface WalCounters {
  readonly wal_records: string;
  readonly wal_bytes: string;
  readonly wal_write: string;
  readonly wal_sync: string;
  readonly wal_sync_time: number;
}

const walCounters = (): Promise<WalCounters> =>
  withAdmin(pg, async (client) => (await client.query<WalCounters>("SELECT wal_records, wal_bytes, wal_write, wal_sync, wal_sync_time FROM pg_stat_wal")).rows[0]!);

async function profile(label: string, options: PostgresStoreOptions): Promise<string[]> {
  const database = `store_profile_${randomBytes(6).toString("hex")}`;
  await withAdmin(pg, (client) => client.query(`CREATE DATABASE ${database}`));
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  const calls = new Tally();
  statements = new Tally();
  try {
    const pool = new pg.Pool({ connectionString: url.toString(), max: 10, options: "-c track_wal_io_timing=on" });
    pool.on("error", () => undefined);
    const store = await openPostgresStore({ pool }, options);
    const system = new KvGame({ open: async () => ({ kv: timed(store, calls), close: () => store.close() }), compacts: false }, createGame);
    await system.open("");
    const seeds = seedPlayers(players, { seed: 1, withHistory: false, balance: 1_000_000 });
    await system.load(seeds);
    const walBefore = await walCounters();
    statements.on = calls.on = true;
    const outcome = await play(system, { loops: players, ops, players: seeds.map((seed) => seed.id), actors: "own", seed: 1, prefix: "op" });
    statements.on = calls.on = false;
    await assertConserved(label, system, tokensOf(seeds), players);
    await system.close();
    await pool.end();
    // The store's backends have exited: their WAL statistics are flushed.
    const walAfter = await walCounters();
    return report(label, outcome, calls, walBefore, walAfter);
  } finally {
    await withAdmin(pg, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
}

function report(label: string, outcome: Awaited<ReturnType<typeof play>>, calls: Tally, before: WalCounters, after: WalCounters): string[] {
  const n = outcome.latenciesMs.length;
  const sorted = [...outcome.latenciesMs].sort((a, b) => a - b);
  const per = (count: number): string => (count / n).toFixed(2);
  const mean = (entry: { count: number; ms: number }): string => (entry.count === 0 ? "n/a" : (entry.ms / entry.count).toFixed(2));
  const syncs = Number(after.wal_sync) - Number(before.wal_sync);
  const commits = statements.get("COMMIT").count;
  const lines = [
    `### ${label}`,
    "",
    `${n} operations in ${(outcome.elapsedMs / 1000).toFixed(1)} s: **${Math.round((n / outcome.elapsedMs) * 1000)} ops/s**, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`,
    "",
    "| per operation | calls | mean ms each |",
    "| --- | --- | --- |",
    ...calls.names().map((name) => `| KeyValueStore ${name} (the game layer's call, pool and commit waits included) | ${per(calls.get(name).count)} | ${mean(calls.get(name))} |`),
    `| driver round trips, all statements | ${per(statements.total())} | |`,
    ...statements.names().map((name) => `| - ${name} | ${per(statements.get(name).count)} | ${mean(statements.get(name))} |`),
    `| write transactions (COMMITs) | ${per(commits)} | batches per transaction: ${(calls.get("batch").count / Math.max(1, commits)).toFixed(1)} |`,
    `| WAL syncs (pg_stat_wal, server-wide) | ${per(syncs)} | ${syncs === 0 ? "n/a" : ((after.wal_sync_time - before.wal_sync_time) / syncs).toFixed(2)} |`,
    `| WAL bytes (server-wide) | ${Math.round((Number(after.wal_bytes) - Number(before.wal_bytes)) / n).toLocaleString("en-US")} | |`,
    "",
  ];
  return lines;
}

const out: string[] = [`${ops} operations of ${players} players on ${postgresUrl.replace(/:[^:@/]*@/, ":***@")}`, ""];
out.push(...(await profile("group commit (the default)", {})));
out.push(...(await profile("commitGroupBatchesMax: 1 (a transaction per batch)", { commitGroupBatchesMax: 1 })));
process.stdout.write(`${out.join("\n")}\n`);
