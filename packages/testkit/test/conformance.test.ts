import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeFileSystem } from "@store/fs";
import { fileSystemConformance, Rng, SimulatedDisk } from "../src/index.js";

fileSystemConformance("NodeFileSystem in a mkdtemp folder", async () => {
  const root = await mkdtemp(join(tmpdir(), "store-testkit-"));
  return { fs: new NodeFileSystem(), root, cleanup: () => rm(root, { recursive: true, force: true }) };
});

fileSystemConformance("SimulatedDisk", async () => {
  const disk = new SimulatedDisk();
  await disk.fs.mkdir("/data");
  return { fs: disk.fs, root: "/data", cleanup: async () => undefined };
});

fileSystemConformance("SimulatedDisk after a crash", async () => {
  const disk = new SimulatedDisk();
  await disk.fs.mkdir("/data");
  await disk.fs.fsyncDir("/");
  const revived = disk.crash(new Rng(1));
  return { fs: revived.fs, root: "/data", cleanup: async () => undefined };
});

fileSystemConformance("SimulatedDisk with late writes", async () => {
  const disk = new SimulatedDisk();
  disk.landWritesLate(new Rng(3));
  await disk.fs.mkdir("/data");
  return { fs: disk.fs, root: "/data", cleanup: async () => undefined };
});
