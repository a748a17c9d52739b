import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Game } from "@store/game";
import type { StoreStats } from "@store/log";
import type { CompactionScheduler } from "@store/scheduler";
import type { Mirror } from "@store/snapshot";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { InteractionObserver, Outcome } from "./bot.js";

/** What the metrics read; each is sampled when Prometheus scrapes, nothing is polled. */
export interface MetricsSources {
  /** The log's statistics; undefined on PostgreSQL (no store_* metrics then). */
  readonly store: { stats(): StoreStats } | undefined;
  readonly scheduler: CompactionScheduler | undefined;
  readonly mirror: Mirror | undefined;
  readonly game: Game;
}

export interface BotMetrics {
  readonly registry: Registry;
  readonly observer: InteractionObserver;
}

/** Seconds; command latencies are mostly one fdatasync (a few ms). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createMetrics(sources: MetricsSources): BotMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const store = sources.store;
  const stat = (name: string, help: string, read: (stats: StoreStats) => number): void => {
    if (store === undefined) return;
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(store.stats()));
      },
    });
  };
  stat("store_seq", "Seq of the last acknowledged write.", (stats) => stats.seq);
  stat("store_keys", "Live keys.", (stats) => stats.keys);
  stat("store_live_bytes", "Estimated bytes of a freshly compacted base.", (stats) => stats.liveBytes);
  stat("store_total_bytes", "Bytes in the log's live files (base and segments).", (stats) => stats.totalBytes);
  stat("store_segments", "Live segment files.", (stats) => stats.segments);
  stat("store_queued_writes", "Writes waiting for the next group commit.", (stats) => stats.queuedWrites);
  stat("store_failed", "1 once an fdatasync failed: the store rejects every write and the bot stops.", (stats) => (stats.failed ? 1 : 0));
  stat("store_last_compaction_error", "1 when the last compaction failed.", (stats) => (stats.lastCompactionError === null ? 0 : 1));
  stat("store_last_compaction_timestamp_seconds", "When the last compaction finished (0: never).", (stats) => (stats.lastCompactionAtMs ?? 0) / 1000);
  if (store !== undefined) monotonic(registry, "store_flushes_total", "fdatasync calls on the log since the bot started.", () => store.stats().flushes);
  const compactions = new Counter({ name: "store_compactions_total", help: "Compactions run by the scheduler.", labelNames: ["trigger", "result"], registers: [registry] });
  sources.scheduler?.subscribe((run) => { compactions.inc({ trigger: run.trigger, result: run.error === undefined ? "ok" : "failed" }); });
  new Gauge({
    name: "mirror_dirty_views",
    help: "JSON mirror files waiting to be rewritten.",
    registers: [registry],
    collect() {
      this.set(sources.mirror?.dirtyViews.length ?? 0);
    },
  });
  monotonic(registry, "mirror_view_writes_total", "JSON mirror files written since the bot started.", () => sources.mirror?.viewWrites ?? 0);
  new Gauge({
    name: "game_players",
    help: "Players on the leaderboard.",
    registers: [registry],
    collect() {
      this.set(sources.game.leaderboard.size);
    },
  });
  const duration = new Histogram({ name: "bot_command_duration_seconds", help: "Time to answer an interaction.", labelNames: ["command", "outcome"], buckets: LATENCY_BUCKETS, registers: [registry] });
  const inFlight = new Gauge({ name: "bot_commands_in_flight", help: "Interactions being handled.", registers: [registry] });
  const observer: InteractionObserver = {
    started: () => { inFlight.inc(); },
    finished: (command: string, outcome: Outcome, seconds: number) => {
      if (outcome !== "shutdown") inFlight.dec();
      duration.observe({ command, outcome }, seconds);
    },
  };
  return { registry, observer };
}

/** A counter read from a count the source keeps itself (prom-client counters only go up by inc()). */
function monotonic(registry: Registry, name: string, help: string, read: () => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}

export interface MetricsServer {
  /** The port it listens on (the one chosen when configured with 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `GET /metrics` in Prometheus' text format; anything else is 404. */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found: try GET /metrics\n");
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { "content-type": registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
        server.closeAllConnections();
      }),
  };
}
