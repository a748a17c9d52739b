import { describe, expect, it } from "vitest";
import { ioError, writeAll } from "@store/fs";
import { isPowerCut, PowerCutError, Rng, SimulatedDisk } from "../src/index.js";
import { encoder, text, writeSynced } from "./helpers.js";

async function diskWithFile(path: string, content: string): Promise<SimulatedDisk> {
  const disk = new SimulatedDisk();
  await writeSynced(disk.fs, path, content);
  await disk.fs.fsyncDir("/");
  return disk;
}

describe("fsync failure (fsyncgate)", () => {
  it("after EIO on the k-th sync, a later successful sync does not make the lost writes durable", async () => {
    for (const k of [1, 2, 3]) {
      const disk = await diskWithFile("/f", "base|");
      disk.injectFault({ operation: "sync", nth: k, kind: "EIO", pathIncludes: "/f" });
      const handle = await disk.fs.open("/f", "a");
      const failures: number[] = [];
      for (let round = 1; round <= 3; round += 1) {
        await writeAll(handle, encoder.encode(`w${round}|`), null);
        await handle.sync().catch((error: unknown) => {
          expect(error).toMatchObject({ code: "EIO", syscall: "fsync" });
          failures.push(round);
        });
      }
      await writeAll(handle, encoder.encode("after|"), null);
      await handle.datasync();
      await handle.close();
      expect(failures).toEqual([k]);
      expect(text(disk.files().get("/f"))).toBe("base|w1|w2|w3|after|");
      const survivors = new Set<string | undefined>();
      for (let seed = 0; seed < 20; seed += 1) survivors.add(text(disk.crash(new Rng(seed)).files().get("/f")));
      expect(survivors.size).toBe(1);
      const [survivor] = survivors;
      expect(survivor).not.toContain(`w${k}|`);
      expect(survivor).toContain("after|");
    }
  });
});

describe("disk full and short writes", () => {
  it("ENOSPC on a write applies nothing of it", async () => {
    const disk = await diskWithFile("/f", "abc");
    disk.injectFault({ operation: "write", nth: 2, kind: "ENOSPC" });
    const handle = await disk.fs.open("/f", "a");
    expect(await handle.write(encoder.encode("d"), 0, 1, null)).toBe(1);
    await expect(handle.write(encoder.encode("efgh"), 0, 4, null)).rejects.toMatchObject({ code: "ENOSPC" });
    expect(await handle.write(encoder.encode("i"), 0, 1, null)).toBe(1);
    await handle.close();
    expect(text(disk.files().get("/f"))).toBe("abcdi");
  });

  it("a short write applies about half and returns that count, and writeAll finishes the rest", async () => {
    const disk = await diskWithFile("/f", "");
    disk.injectFault({ operation: "write", nth: 1, kind: "short-write" });
    const handle = await disk.fs.open("/f", "r+");
    expect(await handle.write(encoder.encode("0123456789"), 0, 10, 0)).toBe(5);
    expect(text(disk.files().get("/f"))).toBe("01234");
    disk.injectFault({ operation: "write", nth: 1, kind: "short-write" });
    await writeAll(handle, encoder.encode("abcdefgh"), 0);
    await handle.close();
    expect(text(disk.files().get("/f"))).toBe("abcdefgh");
  });

  it("a write past the capacity writes what fits, then the next one fails with ENOSPC", async () => {
    const disk = await diskWithFile("/other", "1234");
    disk.setCapacityBytes(10);
    const handle = await disk.fs.open("/f", "w");
    expect(await handle.write(encoder.encode("abcdefgh"), 0, 8, null)).toBe(6);
    await expect(handle.write(encoder.encode("gh"), 0, 2, null)).rejects.toMatchObject({ code: "ENOSPC" });
    await expect(writeAll(handle, encoder.encode("xyz"), 0)).resolves.toBeUndefined();
    expect(text(disk.files().get("/f"))).toBe("xyzdef");
    await disk.fs.unlink("/other");
    await expect(writeAll(handle, encoder.encode("ghij"), 6)).resolves.toBeUndefined();
    disk.setCapacityBytes(undefined);
    await writeAll(handle, encoder.encode("k"), 10);
    await handle.close();
    expect(text(disk.files().get("/f"))).toBe("xyzdefghijk");
  });

  it("EIO on a read throws; faults on other operations throw their errno and change nothing", async () => {
    const disk = await diskWithFile("/f", "abc");
    disk.injectFault({ operation: "read", nth: 1, kind: "EIO" });
    await expect(disk.fs.readFile("/f")).rejects.toMatchObject({ code: "EIO" });
    expect(text(await disk.fs.readFile("/f"))).toBe("abc");
    disk.injectFault({ operation: "rename", nth: 1, kind: "EIO" });
    await expect(disk.fs.rename("/f", "/g")).rejects.toMatchObject({ code: "EIO" });
    disk.injectFault({ operation: "unlink", nth: 1, kind: "EIO" });
    await expect(disk.fs.unlink("/f")).rejects.toMatchObject({ code: "EIO" });
    disk.injectFault({ operation: "link", nth: 1, kind: "ENOSPC" });
    await expect(disk.fs.link("/f", "/h")).rejects.toMatchObject({ code: "ENOSPC" });
    disk.injectFault({ operation: "open", nth: 1, kind: "ENOSPC" });
    await expect(disk.fs.open("/new", "wx")).rejects.toMatchObject({ code: "ENOSPC" });
    expect([...disk.files().keys()]).toEqual(["/f"]);
  });

  it("a fault with pathIncludes counts only matching operations, and clearFaults disarms it", async () => {
    const disk = await diskWithFile("/a.log", "");
    await writeSynced(disk.fs, "/b.log", "");
    disk.injectFault({ operation: "write", nth: 2, kind: "EIO", pathIncludes: "b.log" });
    const a = await disk.fs.open("/a.log", "a");
    const b = await disk.fs.open("/b.log", "a");
    await writeAll(a, encoder.encode("1"), null);
    await writeAll(b, encoder.encode("1"), null);
    await writeAll(a, encoder.encode("2"), null);
    await expect(writeAll(b, encoder.encode("2"), null)).rejects.toMatchObject({ code: "EIO" });
    disk.injectFault({ operation: "write", nth: 1, kind: "EIO" });
    disk.clearFaults();
    await writeAll(b, encoder.encode("3"), null);
    expect(text(disk.files().get("/b.log"))).toBe("13");
    await a.close();
    await b.close();
  });

  it("a fault that cannot happen is refused with a TypeError", () => {
    const disk = new SimulatedDisk();
    expect(() => {
      disk.injectFault({ operation: "sync", nth: 1, kind: "short-write" });
    }).toThrow(/short-write/);
    expect(() => {
      disk.injectFault({ operation: "write", nth: 0, kind: "EIO" });
    }).toThrow(TypeError);
  });
});

describe("power cut", () => {
  it("the operation at the cut index and everything after it throw PowerCutError and apply nothing", async () => {
    const disk = new SimulatedDisk();
    await writeSynced(disk.fs, "/f", "a");
    disk.cutPowerAt(disk.operationCount + 1);
    const handle = await disk.fs.open("/f", "a");
    await writeAll(handle, encoder.encode("b"), null);
    const cut = handle.write(encoder.encode("c"), 0, 1, null);
    await expect(cut).rejects.toBeInstanceOf(PowerCutError);
    await expect(cut).rejects.toMatchObject({ code: "EPOWERCUT" });
    expect(disk.powerIsCut).toBe(true);
    await expect(disk.fs.readFile("/f")).rejects.toBeInstanceOf(PowerCutError);
    await expect(disk.fs.stat("/f")).rejects.toBeInstanceOf(PowerCutError);
    await expect(handle.close()).rejects.toBeInstanceOf(PowerCutError);
    const wrapped = await disk.fs.unlink("/f").catch((error: unknown) => ioError("Deleting", "/f", error));
    expect(isPowerCut(wrapped)).toBe(true);
    expect(isPowerCut(new Error("unrelated"))).toBe(false);
    expect(text(disk.files().get("/f"))).toBe("ab");
    const revived = disk.crash(new Rng(1));
    expect(revived.powerIsCut).toBe(false);
    expect(revived.operationCount).toBe(0);
  });

  it("operationCount counts each mutating operation and no read", async () => {
    const disk = new SimulatedDisk();
    const handle = await disk.fs.open("/f", "w");
    await handle.write(encoder.encode("x"), 0, 1, 0);
    await handle.truncate(0);
    await handle.sync();
    await handle.datasync();
    await handle.read(new Uint8Array(1), 0, 1, 0).catch(() => undefined);
    await handle.close();
    await disk.fs.readFile("/f");
    await disk.fs.stat("/f");
    await disk.fs.readdir("/");
    await (await disk.fs.open("/f", "r")).close();
    await disk.fs.mkdir("/d");
    await disk.fs.link("/f", "/g");
    await disk.fs.rename("/g", "/h");
    await disk.fs.unlink("/h");
    await disk.fs.fsyncDir("/");
    expect(disk.operationCount).toBe(10);
  });
});
