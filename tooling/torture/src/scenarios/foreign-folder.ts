import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { nodeFileSystem, type FileSystem } from "@store/fs";
import { StoreError, openStore, readLog, type StoreOptions } from "@store/log";
import { Rng, folderBytes } from "@store/testkit";
import { inTempDir } from "../temp-dir.js";
import { firstDifference, sameState, stateOf, type State } from "../model.js";
import { check, describeError, type CaseOptions, type Scenario } from "../scenario.js";
import { subSeed } from "../sim.js";

/** How a folder can be opened; every one must refuse a folder that is not a store. */
const MODES: ReadonlyArray<{ readonly name: string; readonly options: StoreOptions }> = [
  { name: "read-write", options: {} },
  { name: "read-only", options: { readOnly: true } },
  { name: "salvage", options: { onCorruption: "salvage" } },
  { name: "sync none", options: { sync: "none" } },
];

const UNRELATED_NAMES = ["photo.jpg", "notes.txt", "players.json", "README", "data.db", "000001.txt", "log", ".hidden", "backup.tar.gz"];

/**
 * Bytes that are clearly not this library's: they do not start with a lowercase hex digit (every
 * line of ours does) and are not all zeros (what an interrupted creation may leave).
 */
function foreignBytes(rng: Rng): Buffer {
  const kind = rng.int(3);
  if (kind === 0) return Buffer.from(`this is not a log ${rng.int(1000)}\n`.repeat(1 + rng.int(3)));
  if (kind === 1) return Buffer.from(JSON.stringify({ players: { [String(rng.int(100))]: { tokens: rng.int(50) } } }));
  const bytes = Buffer.from(rng.bytes(1 + rng.int(300)));
  bytes[0] = 0x80 + rng.int(0x7f); // not ASCII, so not a hex digit, and not zero
  return bytes;
}

/** A folder of someone else's files: unrelated names, and maybe a file named like a segment or base. */
async function writeForeignFolder(dir: string, rng: Rng): Promise<void> {
  const shape = rng.int(4);
  if (shape === 0 || shape === 3) await writeFile(join(dir, rng.pick(["000001.log", "000002.log", "000003.base"])), foreignBytes(rng));
  if (shape >= 1) {
    for (let count = 1 + rng.int(3); count > 0; count -= 1) await writeFile(join(dir, rng.pick(UNRELATED_NAMES)), foreignBytes(rng));
  }
  if (shape === 2) {
    const sub = rng.pick(["backups", "damaged", "photos"]);
    await mkdir(join(dir, sub), { recursive: true });
    await writeFile(join(dir, sub, rng.pick(["000001-000001.log.gz", "2024.gz", "cat.png"])), foreignBytes(rng));
  }
}

/** The folder's files and folders, for "nothing changed": bytes of every file, and every name. */
async function snapshot(dir: string): Promise<{ bytes: Map<string, string>; names: string[] }> {
  const names = (await readdir(dir, { recursive: true })).map(String).sort();
  return { bytes: await folderBytes(dir), names };
}

async function attempt(dir: string, options: StoreOptions): Promise<unknown> {
  return openStore(dir, options).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (error: unknown) => error,
  );
}

/** Every mode refuses the folder with STORE_NOT_A_STORE, and every byte and name stays as it was. */
async function checkForeignFolder(dir: string, fs: FileSystem): Promise<number> {
  const before = await snapshot(dir);
  let checks = 0;
  for (const mode of MODES) {
    const error = await attempt(dir, { ...mode.options, fs });
    check(error instanceof StoreError && error.code === "STORE_NOT_A_STORE", () => `${mode.name}: a folder of foreign files (${before.names.join(", ")}) was not refused with STORE_NOT_A_STORE: ${error === undefined ? "it opened" : describeError(error)}`);
    check(isDeepStrictEqual(await snapshot(dir), before), `${mode.name}: the foreign folder changed (${before.names.join(", ")})`);
    checks += 1;
  }
  // A tool reading the folder may refuse it or find nothing in it, but only with a StoreError, and it changes nothing.
  try {
    for await (const _ of readLog(dir, { fs }));
  } catch (error) {
    check(error instanceof StoreError, `readLog of a foreign folder threw ${describeError(error)}, not a StoreError`);
  }
  check(isDeepStrictEqual(await snapshot(dir), before), "readLog changed the foreign folder");
  return checks + 1;
}

/**
 * A store with a foreign file where its last segment would be: refused naming that file, unchanged;
 * salvage moves it whole to damaged/ and opens with the store's state. Unrelated files beside the
 * store are left alone through writes and a compaction.
 */
async function checkForeignFileInStore(dir: string, rng: Rng, fs: FileSystem): Promise<number> {
  const store = await openStore(dir, { fs, segmentPreallocateBytes: 0 });
  const writes = 1 + rng.int(20);
  for (let index = 0; index < writes; index += 1) await store.set(`k/${rng.int(8)}`, index);
  const expected: State = stateOf(store);
  const segments = (await readdir(dir)).filter((name) => name.endsWith(".log")).sort();
  await store.close();
  const last = Number(segments.at(-1)!.slice(0, 6));
  const foreignName = `${String(last + 1).padStart(6, "0")}.log`;
  const foreign = foreignBytes(rng);
  await writeFile(join(dir, foreignName), foreign);
  await writeFile(join(dir, "notes.txt"), "someone's notes");
  const before = await snapshot(dir);
  for (const mode of MODES.filter((candidate) => candidate.options.onCorruption !== "salvage")) {
    const error = await attempt(dir, { ...mode.options, fs });
    check(error instanceof StoreError && error.code === "STORE_CORRUPTED" && error.path === join(dir, foreignName), () => `${mode.name}: a foreign ${foreignName} in a store was not refused as STORE_CORRUPTED naming it: ${error === undefined ? "it opened" : describeError(error)}`);
    check(isDeepStrictEqual(await snapshot(dir), before), `${mode.name}: refusing the foreign ${foreignName} changed the folder`);
  }
  const salvaged = await openStore(dir, { fs, onCorruption: "salvage" });
  try {
    check(sameState(expected, stateOf(salvaged)), () => `after salvage set the foreign file aside: ${firstDifference(expected, stateOf(salvaged))}`);
    const moved = salvaged.recovery.salvaged.find((entry) => entry.path === join(dir, foreignName));
    check(moved !== undefined, `salvage did not report moving ${foreignName}`);
    check((await readFile(moved.keptAt)).equals(foreign), `salvage changed the foreign ${foreignName} it moved to ${moved.keptAt}`);
    await salvaged.set("after/salvage", true);
    await salvaged.compact();
  } finally {
    await salvaged.close();
  }
  check((await readFile(join(dir, "notes.txt"), "utf8")) === "someone's notes", "a file beside the store changed");
  return MODES.length;
}

async function runCase(seed: number, options: CaseOptions): Promise<number> {
  const rng = new Rng(subSeed(seed, 1));
  const fs = options.wrapFs(nodeFileSystem);
  let checks = 0;
  for (let folder = 0; folder < 4; folder += 1) {
    checks += await inTempDir("foreign-folder", async (dir) => {
      await writeForeignFolder(dir, rng);
      return checkForeignFolder(dir, fs);
    });
  }
  checks += await inTempDir("foreign-file", (dir) => checkForeignFileInStore(dir, rng, fs));
  return checks;
}

export const foreignFolder: Scenario = {
  name: "foreign-folder",
  summary: "folders of someone else's files (unrelated names, a 000001.log that is not a log, a backups/ of theirs) are refused with STORE_NOT_A_STORE in every mode and left byte-for-byte unchanged; a foreign file in a store is refused by name, never cut, and salvage moves it aside whole",
  runCase,
};
