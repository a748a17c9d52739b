import { join } from "node:path";
import type { KeyValueStore } from "@store/kv";
import { openStore, toKeyValueStore, type Store } from "@store/log";
import { serveStore, type RemoteServer } from "@store/remote";
import { afterEach, describe, expect, it } from "vitest";
import { MAIN, spawnLines, store, tempDir } from "./helpers.js";

// A running bot's socket, as the CLI meets it: a real serveStore over a @store/log store in a temp dir.
interface Served {
  readonly log: Store;
  readonly kv: KeyValueStore;
  readonly server: RemoteServer;
  readonly socketPath: string;
}

const running: Served[] = [];
afterEach(async () => {
  for (const served of running.splice(0)) {
    await served.server.close();
    await served.log.close();
  }
});

async function serve(dir: string, options: { changeHistoryMax?: number; backupsMax?: number } = {}): Promise<Served> {
  const log = await openStore(join(dir, "log"), options);
  const kv = toKeyValueStore(log);
  const socketPath = join(dir, "store.sock");
  const served = { log, kv, server: await serveStore(kv, { socketPath }), socketPath };
  running.push(served);
  return served;
}

async function setMany(kv: KeyValueStore, from: number, count: number): Promise<number> {
  let seq = 0;
  for (let i = from; i < from + count; i += 1) seq = (await kv.batch([{ type: "set", key: `k/${i}`, value: { i } }])).seq;
  return seq;
}

describe("store stats and tail on a running bot's socket", () => {
  it("stats prints what the served store reports", async () => {
    const { kv, socketPath } = await serve(await tempDir());
    await setMany(kv, 1, 3);
    await kv.batch([{ type: "delete", key: "k/2" }]);
    const result = await store(["stats", socketPath, "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ socket: socketPath, seq: 4, keys: 2 });
    const text = await store(["stats", socketPath]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^seq\s+4$/mu);
    expect(text.stdout).toMatch(/^keys\s+2$/mu);
  });

  it("tail --from prints each change in a folder's line format, then stops at the seq it started at", async () => {
    const dir = await tempDir();
    const { kv, socketPath } = await serve(dir);
    await setMany(kv, 1, 5);
    await kv.batch([{ type: "delete", key: "k/1" }, { type: "set", key: "k/9", value: "nine" }]);
    const result = await store(["tail", socketPath, "--from", "4"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n").map((line) => line.split("\t"));
    expect(lines.map(([seq, time, type, key, value]) => [seq, /^\d{4}-\d\d-\d\dT[^\t]+Z$/u.test(time ?? ""), type, key, value])).toEqual([
      ["4", true, "set", "k/4", '{"i":4}'],
      ["5", true, "set", "k/5", '{"i":5}'],
      ["6", true, "del", "k/1", ""],
      ["6", true, "set", "k/9", '"nine"'],
    ]);
  });

  it("tail --follow from the current seq prints only new changes, each once, in order; Ctrl-C exits 0", async () => {
    const { kv, server, socketPath } = await serve(await tempDir());
    await setMany(kv, 1, 10);
    const tail = spawnLines([MAIN, "tail", socketPath, "--follow", "--json"]);
    const seen = (): number[] => tail.lines.map((line) => (JSON.parse(line) as { seq: number }).seq);
    try {
      // Written once the server counts the tail's subscription (a write before it is not new to it).
      while (!server.stats().clients.some((client) => client.subscriptions > 0)) await new Promise((resolve) => setTimeout(resolve, 10));
      const last = await setMany(kv, 11, 20);
      await tail.until(() => seen().includes(last));
      expect(seen()).toEqual(Array.from({ length: 20 }, (_, index) => 11 + index));
      tail.process.kill("SIGINT");
      expect(await tail.exited).toBe(0);
    } finally {
      tail.process.kill("SIGKILL");
    }
  });

  it("tail --follow outlives a server restart: it reconnects and resumes after the last seq it printed, every change once, in order", async () => {
    const dir = await tempDir();
    const { kv, server, socketPath } = await serve(dir);
    await setMany(kv, 1, 3);
    const tail = spawnLines([MAIN, "tail", socketPath, "--follow", "--json"]);
    const seen = (): number[] => tail.lines.map((line) => (JSON.parse(line) as { seq: number }).seq);
    try {
      while (!server.stats().clients.some((client) => client.subscriptions > 0)) await new Promise((resolve) => setTimeout(resolve, 10));
      await setMany(kv, 4, 3);
      await tail.until(() => seen().includes(6));

      // The server goes away (a bot restarting) while the store takes writes the tail has not seen.
      await server.close();
      await tail.until(() => tail.stderr.some((line) => line.includes("reconnecting")));
      await setMany(kv, 7, 3);
      const again = await serveStore(kv, { socketPath });
      try {
        await tail.until(() => seen().includes(9));
        const last = await setMany(kv, 10, 3);
        await tail.until(() => seen().includes(last));
        expect(seen()).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12]);
        expect(tail.stderr.filter((line) => line.startsWith("store: "))).toEqual([
          expect.stringMatching(/^store: lost the connection to .*; reconnecting$/u),
          `store: reconnected to ${socketPath}; resuming after seq 6`,
        ]);
        tail.process.kill("SIGINT");
        expect(await tail.exited).toBe(0);
      } finally {
        await again.close();
      }
    } finally {
      tail.process.kill("SIGKILL");
    }
  });

  it("history the server no longer keeps (compacted away, no backup kept) exits 1 with STORE_HISTORY_GONE", async () => {
    const { kv, log, socketPath } = await serve(await tempDir(), { changeHistoryMax: 2, backupsMax: 0 });
    await setMany(kv, 1, 10);
    await log.compact(); // beyond the in-memory history, the server resumes from the log files: none are left
    const result = await store(["tail", socketPath, "--from", "2"]);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/^store: STORE_HISTORY_GONE: /u) as unknown });
  });
});
