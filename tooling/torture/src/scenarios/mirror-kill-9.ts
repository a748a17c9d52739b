import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { isTempName } from "@store/fs";
import { openStore } from "@store/log";
import { createMirror, readJsonFile, readManifest, verifyMirror } from "@store/snapshot";
import { Rng } from "@store/testkit";
import { runChild } from "../child-process.js";
import { inTempDir } from "../temp-dir.js";
import { check, type CaseOptions, type Scenario } from "../scenario.js";
import { subSeed } from "../sim.js";
import { MIRROR_KILL_VIEWS } from "./mirror-kill-9-views.js";

const ROUNDS = 6;
/** The longest a writer runs before it is killed, in ms after its mirror's first write. */
const KILL_AFTER_MS_MAX = 150;
const SYNC_MODES = ["always", "interval", "none"] as const;

async function tempFiles(mirrorDir: string): Promise<string[]> {
  return (await readdir(mirrorDir)).filter(isTempName);
}

/**
 * One writer (store and mirror) SIGKILLed a random moment after its mirror started. At most one
 * view write is ever in flight, so at most one temp file may be left, whatever the earlier kills
 * left: each mirror removes its dead predecessors' ones when it starts.
 */
async function killRound(dir: string, seed: number, round: number): Promise<number> {
  const rng = new Rng(subSeed(seed, round));
  const sync = SYNC_MODES[(seed + round) % SYNC_MODES.length]!;
  const mirrorDir = join(dir, "mirror");
  const before = round === 0 ? 0 : (await tempFiles(mirrorDir)).length;
  const child = runChild("mirror-writer", [dir, sync, String(subSeed(seed, round, 1))]);
  let removed: number;
  try {
    const ready = await child.waitFor((line) => line.startsWith("ready ") || line.startsWith("error "), "ready");
    check(ready.startsWith("ready "), `the writer's mirror failed: ${ready}`);
    removed = Number(ready.split(" ")[1]);
    await new Promise<void>((resolve) => setTimeout(resolve, rng.int(KILL_AFTER_MS_MAX)));
  } finally {
    child.kill();
  }
  const status = await child.ended;
  check(status.signal === "SIGKILL", `the writer ended on its own (exit code ${String(status.code)}) before it was killed`);
  const errors = child.lines.filter((line) => line.startsWith("error "));
  check(errors.length === 0, () => `the writer's mirror reported failures: ${errors.slice(0, 2).join(" | ")}`);
  check(removed === before, `the writer's mirror removed ${removed} temp files at start, but ${before} were left by the killed writer before it`);
  const left = await tempFiles(mirrorDir);
  check(left.length <= 1, `${left.length} temp files in the mirror folder after a kill (at most one write is in flight): ${left.join(", ")}`);
  await checkViews(dir, sync);
  return left.length;
}

/** Views are whole JSON, and the manifest never records a seq the log does not hold. */
async function checkViews(dir: string, sync: string): Promise<void> {
  const store = await openStore(join(dir, "data"), { readOnly: true });
  try {
    const manifest = await readManifest(join(dir, "mirror"));
    for (const [file, record] of Object.entries(manifest?.views ?? {})) {
      check(record.seq <= store.seq, `sync "${sync}": the manifest records ${file} at seq ${record.seq}, the log holds seq ${store.seq}`);
    }
    for (const file of Object.keys(MIRROR_KILL_VIEWS)) await readJsonFile(join(dir, "mirror", file)); // throws if torn
  } finally {
    await store.close();
  }
}

/** A fresh folder, ROUNDS writers each SIGKILLed, then a clean start that leaves no temp file. */
async function runCase(seed: number, _options: CaseOptions): Promise<number> {
  return inTempDir("mirror-kill-9", async (dir) => {
    for (let round = 0; round < ROUNDS; round += 1) {
      await killRound(dir, seed, round).catch((error: unknown) => {
        throw new Error(`round ${round}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      });
    }
    const store = await openStore(join(dir, "data"));
    const mirror = createMirror(store, { dir: join(dir, "mirror"), views: MIRROR_KILL_VIEWS, intervalMs: 60_000 });
    try {
      await mirror.flush();
      const left = await tempFiles(join(dir, "mirror"));
      check(left.length === 0, `temp files survive a clean start of the mirror: ${left.join(", ")}`);
      const views = await verifyMirror(join(dir, "mirror"));
      check(views?.every((view) => view.status === "ok" && view.record.seq === store.seq) === true, `after a clean flush the views are not all ok at seq ${store.seq}: ${JSON.stringify(views)}`);
    } finally {
      await mirror.close();
      await store.close();
    }
    return ROUNDS;
  });
}

export const mirrorKill9: Scenario = {
  name: "mirror-kill-9",
  summary: `a writer with a JSON mirror writing its views every 2 ms is SIGKILLed ${ROUNDS} times in one folder (sync modes in turn): each mirror removes the temp files its killed predecessors left, so no more than one is ever there; views stay whole and never ahead of the log`,
  runCase,
};
