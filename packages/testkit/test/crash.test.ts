import { writeAll } from "@store/fs";
import { describe, expect, it } from "vitest";
import { Rng, SimulatedDisk, type CrashOutcome, type TornFiller } from "../src/index.js";
import { appendUnsynced, encoder, text, writeSynced } from "./helpers.js";

describe("crash: folder entries", () => {
  it("a file written and fsynced in a folder that was never fsynced is gone after a crash", async () => {
    const disk = new SimulatedDisk();
    await disk.fs.mkdir("/d");
    await disk.fs.fsyncDir("/");
    await writeSynced(disk.fs, "/d/f", "data");
    const revived = disk.crash(new Rng(1));
    expect(await revived.fs.stat("/d/f")).toBeUndefined();
    expect(await revived.fs.readdir("/d")).toEqual([]);
  });

  it("a folder made by mkdir is gone after a crash unless its parent was fsynced", async () => {
    const disk = new SimulatedDisk();
    await disk.fs.mkdir("/a/b");
    expect(await disk.crash(new Rng(1)).fs.stat("/a")).toBeUndefined();
    await disk.fs.fsyncDir("/");
    const revived = disk.crash(new Rng(1));
    expect(await revived.fs.stat("/a")).toMatchObject({ isDirectory: true });
    expect(await revived.fs.readdir("/a")).toEqual([]);
  });

  it("a rename without a folder fsync is undone: the old name comes back with the old bytes", async () => {
    const disk = new SimulatedDisk();
    await writeSynced(disk.fs, "/target", "old");
    await writeSynced(disk.fs, "/temp", "new");
    await disk.fs.fsyncDir("/");
    await disk.fs.rename("/temp", "/target");
    expect(text(disk.files().get("/target"))).toBe("new");
    const revived = disk.crash(new Rng(7));
    expect(new Map([...revived.files()].map(([path, bytes]) => [path, text(bytes)]))).toEqual(
      new Map([
        ["/target", "old"],
        ["/temp", "new"],
      ]),
    );
  });

  it("an unlink without a folder fsync is undone", async () => {
    const disk = new SimulatedDisk();
    await writeSynced(disk.fs, "/f", "still here");
    await disk.fs.fsyncDir("/");
    await disk.fs.unlink("/f");
    expect(text(disk.crash(new Rng(3)).files().get("/f"))).toBe("still here");
  });

  it("after fsync of the file and fsyncDir of its folder, both the data and the rename survive every seed", async () => {
    const disk = new SimulatedDisk();
    await writeSynced(disk.fs, "/temp", "payload");
    await disk.fs.rename("/temp", "/final");
    await disk.fs.fsyncDir("/");
    for (let seed = 0; seed < 50; seed += 1) {
      const revived = disk.crash(new Rng(seed));
      expect([...revived.files().keys()]).toEqual(["/final"]);
      expect(text(revived.files().get("/final"))).toBe("payload");
      expect(revived.crashReport).toEqual([]);
    }
  });

  it("open handles do not survive a crash and the old disk is left untouched", async () => {
    const disk = new SimulatedDisk();
    const handle = await disk.fs.open("/f", "w");
    await disk.fs.fsyncDir("/");
    await handle.write(encoder.encode("abc"), 0, 3, 0);
    const revived = disk.crash(new Rng(5));
    await handle.write(encoder.encode("d"), 0, 1, 3);
    await handle.close();
    expect(text(disk.files().get("/f"))).toBe("abcd");
    const revivedContent = text(revived.files().get("/f")) ?? "";
    expect(revivedContent.includes("d")).toBe(false);
  });
});

/** Bytes 1..250 repeating, so that a zero never comes from the data itself. */
function pattern(length: number, salt: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => ((i + salt) % 250) + 1);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

describe("crash: pending file data", () => {
  it("an unsynced append is kept, dropped or torn across seeds, and never shows bytes that were never written", async () => {
    const durable = encoder.encode("durable|");
    const pending = pattern(64, 3);
    const disk = new SimulatedDisk();
    await writeSynced(disk.fs, "/log", durable);
    await disk.fs.fsyncDir("/");
    await appendUnsynced(disk.fs, "/log", pending);
    const outcomes = new Set<CrashOutcome>();
    const fillers = new Set<TornFiller>();
    for (let seed = 0; seed < 300; seed += 1) {
      const revived = disk.crash(new Rng(seed));
      const decision = revived.crashReport[0]!;
      expect(revived.crashReport).toHaveLength(1);
      outcomes.add(decision.outcome);
      const bytes = revived.files().get("/log")!;
      expect(startsWith(bytes, durable), `seed ${seed}`).toBe(true);
      const tail = bytes.subarray(durable.length);
      if (decision.outcome === "dropped") expect(tail.length, `seed ${seed}`).toBe(0);
      if (decision.outcome === "kept") expect(tail, `seed ${seed}`).toEqual(pending);
      if (decision.outcome !== "torn") continue;
      fillers.add(decision.filler);
      expect(decision.keptBytes).toBeLessThan(pending.length);
      expect(startsWith(tail, pending.subarray(0, decision.keptBytes)), `seed ${seed}`).toBe(true);
      const rest = tail.subarray(decision.keptBytes);
      if (decision.filler === "none") expect(rest.length, `seed ${seed}`).toBe(0);
      else expect(rest.length, `seed ${seed}`).toBe(pending.length - decision.keptBytes);
      if (decision.filler === "zeros") expect(rest.every((byte) => byte === 0), `seed ${seed}`).toBe(true);
    }
    expect(outcomes).toEqual(new Set(["kept", "dropped", "torn"]));
    expect(fillers).toEqual(new Set(["none", "zeros", "garbage"]));
  });

  it("a torn write's filler never reaches the Buffer the caller wrote from", async () => {
    const written = Buffer.from(pattern(64, 3));
    const disk = new SimulatedDisk();
    await writeSynced(disk.fs, "/log", "");
    await disk.fs.fsyncDir("/");
    await appendUnsynced(disk.fs, "/log", written.subarray(0, 64));
    const fillers = new Set<TornFiller>();
    for (let seed = 0; seed < 100; seed += 1) fillers.add(disk.crash(new Rng(seed)).crashReport[0]!.filler);
    expect(fillers).toContain("garbage");
    expect(written).toEqual(Buffer.from(pattern(64, 3)));
  });

  it("a synced write survives a crash as written, though the caller changed its Buffer after writing", async () => {
    const reused = Buffer.from("durable");
    const disk = new SimulatedDisk();
    const handle = await disk.fs.open("/f", "w");
    await writeAll(handle, reused.subarray(0, 7), 0);
    reused.fill(0x78);
    await handle.sync();
    await handle.close();
    await disk.fs.fsyncDir("/");
    expect(text(disk.crash(new Rng(1)).files().get("/f"))).toBe("durable");
  });

  it("a dropped earlier write leaves zeros where it was when a later write is kept", async () => {
    const disk = new SimulatedDisk();
    await writeSynced(disk.fs, "/f", "");
    await disk.fs.fsyncDir("/");
    await appendUnsynced(disk.fs, "/f", pattern(8, 0));
    await appendUnsynced(disk.fs, "/f", pattern(8, 100));
    let seen = false;
    for (let seed = 0; seed < 200 && !seen; seed += 1) {
      const revived = disk.crash(new Rng(seed));
      const [first, second] = revived.crashReport;
      if (first?.outcome !== "dropped" || second?.outcome !== "kept") continue;
      seen = true;
      expect(Array.from(revived.files().get("/f")!)).toEqual([...new Uint8Array(8), ...pattern(8, 100)]);
    }
    expect(seen).toBe(true);
  });

  it("data synced before the pending writes is never lost or changed", async () => {
    const disk = new SimulatedDisk();
    const synced = pattern(100, 9);
    await writeSynced(disk.fs, "/f", synced);
    await disk.fs.fsyncDir("/");
    await appendUnsynced(disk.fs, "/f", pattern(50, 1));
    await appendUnsynced(disk.fs, "/f", pattern(50, 2));
    for (let seed = 0; seed < 100; seed += 1) {
      const bytes = disk.crash(new Rng(seed)).files().get("/f")!;
      expect(startsWith(bytes, synced), `seed ${seed}`).toBe(true);
    }
  });

  it("an unsynced truncate of a synced file is either applied or undone", async () => {
    const disk = new SimulatedDisk();
    await writeSynced(disk.fs, "/f", "0123456789");
    await disk.fs.fsyncDir("/");
    const handle = await disk.fs.open("/f", "r+");
    await handle.truncate(4);
    await handle.close();
    const contents = new Set<string | undefined>();
    for (let seed = 0; seed < 40; seed += 1) contents.add(text(disk.crash(new Rng(seed)).files().get("/f")));
    expect(contents).toEqual(new Set(["0123", "0123456789"]));
  });

  it("a file with two names survives as one file under both durable names", async () => {
    const disk = new SimulatedDisk();
    await writeSynced(disk.fs, "/a", "shared");
    await disk.fs.link("/a", "/b");
    await disk.fs.fsyncDir("/");
    const revived = disk.crash(new Rng(2));
    const handle = await revived.fs.open("/a", "a");
    await handle.write(encoder.encode("!"), 0, 1, null);
    await handle.close();
    expect(text(revived.files().get("/b"))).toBe("shared!");
  });
});
