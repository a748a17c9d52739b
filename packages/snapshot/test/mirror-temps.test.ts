import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { isTempName, type ProcessProbe } from "@store/fs";
import { SimulatedDisk } from "@store/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMirror, readJsonFile } from "../src/index.js";
import { MemorySource } from "./support/memory-source.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const views = { "players.json": "players/", "games.json": "games/" };

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), "snapshot-temps-")), "mirror");
  await mkdir(dir);
});
afterEach(async () => {
  await rm(join(dir, ".."), { recursive: true, force: true });
});

async function tempFiles(): Promise<string[]> {
  return (await readdir(dir)).filter(isTempName).sort();
}

/**
 * A real process that starts an atomic write of `file` in `dir` (as the mirror does, through
 * `@store/fs`'s `atomicReplace`), says so once the temp file is written, and hangs before the
 * rename, where the parent SIGKILLs it. Returns its pid once it is dead.
 */
async function killedMidWrite(file: string): Promise<number> {
  const script = `
    import { atomicReplace, nodeFileSystem } from "@store/fs";
    const fs = { ...nodeFileSystem, open: async (path, flags) => {
      const handle = await nodeFileSystem.open(path, flags);
      return { ...handle, write: (...args) => handle.write(...args), close: () => handle.close(),
        sync: () => { process.stdout.write("in-write\\n"); return new Promise(() => {}); } };
    } };
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(nodeFileSystem))) {
      if (name !== "constructor" && name !== "open") fs[name] = nodeFileSystem[name].bind(nodeFileSystem);
    }
    setInterval(() => {}, 1000);
    await atomicReplace(fs, ${JSON.stringify(join(dir, file))}, new TextEncoder().encode("{}"));
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: PACKAGE_DIR, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => {
    resolve(signal);
  }));
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line === "in-write") resolve();
    });
    void exited.then(() => {
      reject(new Error("the writer ended before it was mid-write"));
    });
  });
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
  return child.pid!;
}

describe("temp files left by dead writers", () => {
  it("a writer SIGKILLed mid-write leaves a temp file; the next mirror removes it when it starts", async () => {
    for (let round = 0; round < 3; round += 1) {
      const pid = await killedMidWrite(round === 2 ? "manifest.json" : "players.json");
      expect(await tempFiles()).toEqual([expect.stringMatching(new RegExp(`\\.${pid}\\.1\\.tmp$`)) as unknown]);
      const source = new MemorySource();
      source.set("players/a", round);
      const mirror = createMirror(source, { dir, views, intervalMs: 60_000 });
      await mirror.flush();
      expect(mirror.staleTempFilesRemoved).toBe(1);
      expect(await tempFiles()).toEqual([]);
      await mirror.close();
      expect(await readJsonFile(join(dir, "players.json"))).toEqual({ a: round });
    }
  });

  it("removes only temp files of its own views and manifest whose writer is gone", async () => {
    const dead = 4_000_001;
    const alive = 4_000_002;
    const probe: ProcessProbe = { pid: process.pid, host: "test", startTicksOf: (pid) => (pid === alive ? 1 : pid === process.pid ? 2 : undefined) };
    const planted = {
      deadView: `.players.json.${dead}.7.tmp`,
      deadManifest: `.manifest.json.${dead}.1.tmp`,
      ownPid: `.games.json.${process.pid}.3.tmp`,
      aliveView: `.players.json.${alive}.2.tmp`,
      otherFile: `.notes.json.${dead}.1.tmp`,
    };
    for (const name of Object.values(planted)) await writeFile(join(dir, name), "partial");
    const mirror = createMirror(new MemorySource(), { dir, views, intervalMs: 60_000, processProbe: probe });
    await mirror.flush();
    expect(mirror.staleTempFilesRemoved).toBe(3);
    expect(await tempFiles()).toEqual([planted.aliveView, planted.otherFile].sort());
    await mirror.close();
  });

  it("leaves this process's temp files alone while another mirror of the folder is open here", async () => {
    const first = createMirror(new MemorySource(), { dir, views, intervalMs: 60_000 });
    const own = `.players.json.${process.pid}.99.tmp`;
    await writeFile(join(dir, own), "partial");
    const second = createMirror(new MemorySource(), { dir, views, intervalMs: 60_000 });
    await second.flush();
    expect(await tempFiles()).toEqual([own]);
    await second.close();
    await first.close();
    const third = createMirror(new MemorySource(), { dir, views, intervalMs: 60_000 });
    await third.flush();
    expect(await tempFiles()).toEqual([]);
    await third.close();
  });

  it("on the simulated disk, through the processProbe option", async () => {
    const disk = new SimulatedDisk();
    await disk.fs.mkdir("/m");
    const handle = await disk.fs.open("/m/.players.json.77.1.tmp", "wx");
    await handle.close();
    const mirror = createMirror(new MemorySource(), { dir: "/m", views, intervalMs: 60_000, fs: disk.fs, processProbe: { pid: 1, host: "sim", startTicksOf: () => undefined } });
    await mirror.close();
    expect((await disk.fs.readdir("/m")).filter(isTempName)).toEqual([]);
    expect(mirror.staleTempFilesRemoved).toBe(1);
  });
});
