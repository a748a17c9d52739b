import { describe, expect, it } from "vitest";
import { openStore, type StoreError } from "../src/index.js";
import { runFixture } from "./child-process.js";
import { tempDir } from "./helpers.js";

describe("kill -9 of a writer process", () => {
  it("every acknowledged write survives, and nothing that was not issued appears (acknowledged ⊆ recovered ⊆ issued)", async () => {
    const dir = await tempDir();
    for (let round = 0; round < 5; round += 1) {
      const child = runFixture("writer-child", [dir, "64"]);
      await child.waitFor((line) => line === "open");
      const acksBeforeKill = 200 + round * 300;
      await child.waitFor(() => child.lines.length > acksBeforeKill);
      child.process.kill("SIGKILL");
      await child.exited;
      const acknowledged = child.lines.filter((line) => line.startsWith("ack ")).map((line) => line.slice(4));
      const store = await openStore(dir);
      for (const key of acknowledged) expect(store.has(key), `acknowledged ${key} was lost`).toBe(true);
      const highest = new Map<number, number>();
      for (const [key, value] of store.scan("w")) {
        const match = /^w(\d+)\/(\d+)$/.exec(key);
        expect(match, `unexpected key ${key}`).not.toBeNull();
        expect(value).toBe(Number(match![2]));
        const writer = Number(match![1]);
        highest.set(writer, Math.max(highest.get(writer) ?? -1, Number(match![2])));
      }
      // Each writer awaits its previous write, so what survives of it is a gap-free run from 0.
      for (const [writer, top] of highest) {
        for (let n = 0; n <= top; n += 1) expect(store.has(`w${writer}/${n}`), `w${writer}/${n} missing below ${top}`).toBe(true);
      }
      await store.close();
      await clearKeys(dir);
    }
  });
});

async function clearKeys(dir: string): Promise<void> {
  const store = await openStore(dir);
  const keys = [...store.scan()].map(([key]) => key);
  for (let index = 0; index < keys.length; index += 1000) {
    await store.batch(keys.slice(index, index + 1000).map((key) => ({ type: "delete" as const, key })));
  }
  await store.compact();
  await store.close();
}

describe("one writer per folder", () => {
  it("a second process gets STORE_LOCKED naming the holder; once the holder is killed, the lock is taken over", async () => {
    const dir = await tempDir();
    const holder = runFixture("holder-child", [dir]);
    await holder.waitFor((line) => line === "opened");
    const error = (await openStore(dir).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as StoreError & { owner?: { pid: number } };
    expect(error.code).toBe("STORE_LOCKED");
    expect(error.owner?.pid).toBe(holder.process.pid);
    expect(error.message).toContain(String(holder.process.pid));
    holder.process.kill("SIGKILL");
    await holder.exited;
    const store = await openStore(dir);
    expect(store.has("heartbeat")).toBe(true);
    await store.close();
  });

  it("two processes racing to open one folder: exactly one wins", async () => {
    for (let round = 0; round < 12; round += 1) {
      const dir = await tempDir();
      const racers = [runFixture("holder-child", [dir]), runFixture("holder-child", [dir])];
      const outcomes = await Promise.all(racers.map((racer) => racer.waitFor((line) => line === "opened" || line.startsWith("STORE_"))));
      expect(outcomes.sort()).toEqual(["STORE_LOCKED", "opened"]);
      for (const racer of racers) racer.process.kill("SIGKILL");
      await Promise.all(racers.map((racer) => racer.exited));
    }
  });
});
