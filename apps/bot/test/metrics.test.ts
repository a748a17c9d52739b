import { readFile } from "node:fs/promises";
import { request } from "node:http";
import { expect, it } from "vitest";
import { startTestApp, tempDir } from "./helpers.js";

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Prometheus' text format, as a scraper reads it: `# HELP`/`# TYPE` lines, then `name{labels} value`. */
function parseExposition(body: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of body.split("\n")) {
    if (line === "") continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/u.exec(line);
    if (type !== null) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/u.exec(line);
    if (sample === null) throw new Error(`Not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/gu)) labels[pair[1]!] = pair[2]!;
    const value = sample[3] === "+Inf" ? Number.POSITIVE_INFINITY : Number(sample[3]);
    if (Number.isNaN(value)) throw new Error(`Not a number in: ${line}`);
    samples.push({ name: sample[1]!, labels, value });
  }
  return { samples, types };
}

function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET" }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => { resolve({ status: response.statusCode ?? 0, type: response.headers["content-type"] ?? "", body }); });
    });
    req.on("error", reject);
    req.end();
  });
}

it("/metrics is scraped over HTTP on loopback: store stats, command latencies, in-flight gauge", async () => {
  const bot = await startTestApp(await tempDir(), { BOT_METRICS_PORT: "0" });
  const port = bot.app.metricsPort!;
  expect(port).toBeGreaterThan(0);
  expect(bot.app.healthLine).toContain(`metrics http://127.0.0.1:${port}/metrics`);
  await bot.run("alice", "/daily");
  await bot.run("alice", "/daily"); // refused: cooldown
  await bot.run("alice", "/give bob 10");
  await bot.app.storage.scheduler!.runNow();

  const response = await get(port, "/metrics");
  expect(response.status).toBe(200);
  expect(response.type).toContain("text/plain");
  const { samples, types } = parseExposition(response.body);
  const value = (name: string, labels: Record<string, string> = {}): number | undefined =>
    samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))?.value;

  const stats = bot.app.storage.store!.stats();
  expect(value("store_seq")).toBe(stats.seq);
  expect(value("store_keys")).toBe(stats.keys);
  expect(value("store_total_bytes")).toBe(stats.totalBytes);
  expect(value("store_failed")).toBe(0);
  expect(value("store_last_compaction_error")).toBe(0);
  expect(value("store_last_compaction_timestamp_seconds")).toBeGreaterThan(0);
  expect(value("store_flushes_total")).toBeGreaterThan(0);
  expect(types.get("store_flushes_total")).toBe("counter");
  expect(value("store_compactions_total", { trigger: "manual", result: "ok" })).toBe(1);
  expect(value("bot_command_duration_seconds_count", { command: "daily", outcome: "ok" })).toBe(1);
  expect(value("bot_command_duration_seconds_count", { command: "daily", outcome: "refused" })).toBe(1);
  expect(value("bot_command_duration_seconds_count", { command: "give", outcome: "ok" })).toBe(1);
  expect(value("bot_command_duration_seconds_bucket", { command: "give", outcome: "ok", le: "+Inf" })).toBe(1);
  expect(types.get("bot_command_duration_seconds")).toBe("histogram");
  expect(value("bot_commands_in_flight")).toBe(0);
  expect(value("game_players")).toBe(0);
  expect(value("process_resident_memory_bytes")).toBeGreaterThan(0);

  // The Grafana dashboard shipped beside the app charts only metrics the bot exports.
  const dashboard = JSON.parse(await readFile(new URL("../grafana/bot-dashboard.json", import.meta.url), "utf8")) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const names = new Set(samples.map((sample) => sample.name));
  const charted = dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => target.expr.match(/\b(store|bot|game|mirror|process|nodejs)_[a-z_]+/gu) ?? []));
  expect(charted.length).toBeGreaterThan(15);
  for (const name of charted) expect(names, `dashboard metric ${name}`).toContain(name);

  expect((await get(port, "/other")).status).toBe(404);
  await bot.app.stop();
  await expect(get(port, "/metrics")).rejects.toThrow(/ECONNREFUSED/u);
});

it("console mode serves no metrics unless a port is configured", async () => {
  const bot = await startTestApp(await tempDir());
  expect(bot.app.config.mode).toBe("console");
  expect(bot.app.metricsPort).toBeUndefined();
  expect(bot.app.healthLine).toContain("metrics off");
});
