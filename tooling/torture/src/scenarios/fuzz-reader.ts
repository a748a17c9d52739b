import { join } from "node:path";
import type { FileSystem } from "@store/fs";
import { StoreError, readLog, scanFile } from "@store/log";
import { Rng, SimulatedDisk } from "@store/testkit";
import { fuzzFile } from "../fuzz-input.js";
import { buildLog, writeFile } from "../log-fixture.js";
import { check, type CaseOptions, type Scenario } from "../scenario.js";
import { DATA_DIR, openOnFs, subSeed } from "../sim.js";
import { withTimeout } from "../timeout.js";

/** Time one reader may take on one file set before it counts as a hang. */
const READER_BUDGET_MS = 60_000;
const NAMES = ["000001.base", "000002.log", "000003.base", "000003.log", "000004.log"] as const;

let validFiles: Promise<Uint8Array[]> | undefined;

/** Real files (a base, sealed segments, a live one) to mutate; built once per process. */
function valid(): Promise<Uint8Array[]> {
  validFiles ??= buildLog(1, { writes: 120, segmentBytesMax: 1500, compactAt: new Set([60]) }).then((fixture) => fixture.files.map((file) => file.bytes));
  return validFiles;
}

/** Runs one reader; it may succeed or throw a StoreError, nothing else, and must finish in time. */
async function read(what: string, reader: () => Promise<unknown>): Promise<void> {
  try {
    await withTimeout(reader(), READER_BUDGET_MS, what);
  } catch (error) {
    check(error instanceof StoreError, () => `${what} threw ${describeThrown(error)}, not a StoreError`);
  }
}

/** The error and where it came from: the first frames of its stack. */
function describeThrown(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frames = (error.stack ?? "").split("\n").filter((line) => line.trimStart().startsWith("at ")).slice(0, 3).map((line) => line.trim());
  return `${error.name}: ${error.message} [${frames.join(" < ")}]`;
}

async function readEverything(fs: FileSystem, paths: readonly string[], rng: Rng): Promise<number> {
  for (const path of paths) {
    const chunkBytes = rng.pick([64, 4096, 4 * 1024 * 1024]);
    await read(`scanFile(${path}, chunkBytes ${chunkBytes})`, () => scanFile(fs, path, () => undefined, { chunkBytes, visitAfterDamage: rng.bool() }));
  }
  await read("readLog", async () => {
    let entries = 0;
    for await (const _entry of readLog(DATA_DIR, { fs })) entries += 1;
    return entries;
  });
  await read("openStore read-only", async () => {
    const store = await openOnFs(fs, 1, { readOnly: true });
    for (const [key] of store.scan()) store.get(key);
    await store.close();
  });
  const onCorruption = rng.pick(["fail", "salvage"] as const);
  await read(`openStore read-write (${onCorruption})`, async () => {
    const store = await openOnFs(fs, 2, { onCorruption });
    for (const [key] of store.scan()) store.get(key);
    await store.set("after/fuzz", 1);
    await store.close();
  });
  return paths.length + 3;
}

async function runCase(seed: number, options: CaseOptions): Promise<number> {
  const rng = new Rng(subSeed(seed, 1));
  const sources = await valid();
  const disk = new SimulatedDisk();
  await disk.fs.mkdir(DATA_DIR);
  const paths: string[] = [];
  for (const name of NAMES) {
    if (!rng.bool(0.4)) continue;
    const path = join(DATA_DIR, name);
    await writeFile(disk, path, fuzzFile(sources, rng));
    paths.push(path);
  }
  return readEverything(options.wrapFs(disk.fs), paths, rng);
}

export const fuzzReader: Scenario = {
  name: "fuzz-reader",
  summary: "random and mutated files (flips, cuts, insertions, spliced and swapped lines, odd records with valid checksums) through scanFile, readLog and openStore: only StoreError is thrown, every read finishes in time",
  runCase,
};
