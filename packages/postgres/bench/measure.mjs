/* global process, console, performance, URL */
// Rough figures for the README, on the server STORE_PG_URL names (default the local one):
//   node bench/measure.mjs            (after `pnpm build`)
// 1. batches/s of one store with 64 concurrent writers, with group commit and without it
//    (commitGroupBatchesMax 1: one transaction per batch), and of 4 stores (pools) x 16 writers;
// 2. what the commit-order scheme costs on its own: 64 connections each committing one-row
//    transactions, with and without first locking a shared counter row (raw SQL, no store).
// 3. @store/game's crash workload (64 players) on one store: operations per second.
// Each run in a database of its own, dropped at the end.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createGame } from "@store/game";
import { runCrashWorkload } from "@store/game/testing";
import { openPostgresStore } from "../dist/index.js";

const base = process.env.STORE_PG_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const name = `store_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: base });
admin.on("error", () => undefined);
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(base);
url.pathname = `/${name}`;
const DURATION_MS = Number(process.env.BENCH_MS || 4000);

async function storeRun(label, stores, writersPerStore, options) {
  const kvs = [];
  const schema = `b_${randomBytes(3).toString("hex")}`;
  for (let index = 0; index < stores; index += 1) kvs.push(await openPostgresStore({ connectionString: url.toString() }, { schema, poolSize: 4, ...options }));
  let done = 0;
  const latencies = [];
  const end = Date.now() + DURATION_MS;
  const value = { name: "player", balance: 100, history: [1, 2, 3, 4, 5, 6, 7, 8] };
  await Promise.all(kvs.flatMap((kv, store) => Array.from({ length: writersPerStore }, async (_, writer) => {
    for (let n = 0; Date.now() < end; n += 1) {
      const started = performance.now();
      await kv.batch([{ type: "set", key: `w/${store}/${writer}/${n % 100}`, value }]);
      latencies.push(performance.now() - started);
      done += 1;
    }
  })));
  const seconds = DURATION_MS / 1000;
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)];
  console.log(`${label}: ${Math.round(done / seconds)} batches/s, p99 ${p99.toFixed(1)} ms`);
  for (const kv of kvs) await kv.close();
}

async function rawRun(label, lockFirst) {
  await admin.query("SELECT 1");
  const pool = new pg.Pool({ connectionString: url.toString(), max: 64 });
  pool.on("error", () => undefined);
  const table = `raw_${randomBytes(3).toString("hex")}`;
  await pool.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, v text); CREATE TABLE ${table}_c (only_row boolean PRIMARY KEY, seq bigint); INSERT INTO ${table}_c VALUES (true, 0)`);
  let done = 0;
  const end = Date.now() + DURATION_MS;
  await Promise.all(Array.from({ length: 64 }, async () => {
    const client = await pool.connect();
    while (Date.now() < end) {
      await client.query("BEGIN");
      if (lockFirst) await client.query(`UPDATE ${table}_c SET seq = seq + 1`);
      await client.query(`INSERT INTO ${table} (v) VALUES ('x')`);
      await client.query("COMMIT");
      done += 1;
    }
    client.release();
  }));
  console.log(`${label}: ${Math.round(done / (DURATION_MS / 1000))} transactions/s`);
  await pool.end();
}

async function gameRun(label, players, opsPerPlayer) {
  const kv = await openPostgresStore({ connectionString: url.toString() }, { schema: `g_${randomBytes(3).toString("hex")}` });
  let conflicts = 0;
  const batch = kv.batch.bind(kv);
  kv.batch = (ops) => batch(ops).catch((error) => {
    if (error.code === "STORE_CONFLICT") conflicts += 1;
    throw error;
  });
  const game = await createGame(kv, { sweepIntervalMs: 0, dailyCooldownMs: 300 });
  let acks = 0;
  const started = performance.now();
  await runCrashWorkload(game, { round: 0, now: Date.now, players, opsPerPlayer, onAck: () => (acks += 1) });
  const seconds = (performance.now() - started) / 1000;
  const { seq } = await kv.stats();
  console.log(`${label}: ${Math.round(acks / seconds)} operations/s (${acks} operations, ${seq} batches committed, ${conflicts} batches refused with STORE_CONFLICT and retried)`);
  await game.close();
  await kv.close();
}

try {
  if (process.env.BENCH_GAME !== "0") await gameRun("@store/game, 64 concurrent players (transfers, flips, duels, dailies)", 64, 20);
  await storeRun("one store, 64 concurrent writers, group commit", 1, 64, {});
  await storeRun("one store, 64 concurrent writers, commitGroupBatchesMax 1", 1, 64, { commitGroupBatchesMax: 1 });
  await storeRun("4 stores (pools) x 16 writers, group commit", 4, 16, {});
  await storeRun("one store, 1 writer (each batch awaited)", 1, 1, {});
  await rawRun("raw SQL, 64 connections, one-row transactions, no shared lock", false);
  await rawRun("raw SQL, 64 connections, one-row transactions, counter row locked first", true);
} finally {
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
}
