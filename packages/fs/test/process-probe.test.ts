import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock, nodeFileSystem, nodeProcessProbe, readLockOwner } from "../src/index.js";

describe("nodeProcessProbe", () => {
  it("reads this process's start ticks, and the same value twice", () => {
    const ticks = nodeProcessProbe.startTicksOf(process.pid);
    expect(typeof ticks).toBe("number");
    expect(nodeProcessProbe.startTicksOf(process.pid)).toBe(ticks);
  });

  it("tells a killed process from a live one", async () => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const pid = child.pid!;
    expect(nodeProcessProbe.startTicksOf(pid)).not.toBeUndefined();
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    expect(nodeProcessProbe.startTicksOf(pid)).toBeUndefined();
  });
});

describe("the folder lock on the real disk", () => {
  it("a lock left by a killed process is taken over, and release removes it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "store-fs-lock-"));
    try {
      const lockModule = new URL("../src/index.ts", import.meta.url).href;
      const script = `const { acquireLock, nodeFileSystem } = await import(${JSON.stringify(lockModule)}); await acquireLock(nodeFileSystem, ${JSON.stringify(dir)}); console.log("held"); setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve) => {
        child.stdout.once("data", () => {
          resolve();
        });
      });
      await expect(acquireLock(nodeFileSystem, dir)).rejects.toMatchObject({ code: "STORE_LOCKED", owner: { pid: child.pid } });
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      const lock = await acquireLock(nodeFileSystem, dir);
      expect((await readLockOwner(nodeFileSystem, dir))?.pid).toBe(process.pid);
      await lock.release();
      expect(await readLockOwner(nodeFileSystem, dir)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
