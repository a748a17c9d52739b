// A writer for the mirror-kill-9 scenario. argv: dir, sync ("always" | "interval" | "none"), seed.
// It opens the store in <dir>/data and a mirror of it in <dir>/mirror that writes its views every
// few ms, waits for the mirror's first write (which removes dead writers' temp files), prints
//   ready <stale temp files removed>
// and then writes in bursts (8 callers, a few writes each, then a pause of a few ms) until it is
// killed. The mirror's disk is slow to fsync (a few ms per
// file, as a loaded disk is), so that most kills land inside a view write, between temp file and rename.
import { join } from "node:path";
import { nodeFileSystem, type FileSystem } from "@store/fs";
import { openStore, type SyncMode } from "@store/log";
import { createMirror } from "@store/snapshot";
import { Rng, delegatingFs, delegatingHandle } from "@store/testkit";
import { MIRROR_KILL_VIEWS } from "../scenarios/mirror-kill-9-views.js";
import { printNow } from "./print-now.js";

const CALLERS = 8;
const [dir = "", sync = "always", seedText = "0"] = process.argv.slice(2);
const rng = new Rng(Number(seedText));
const store = await openStore(join(dir, "data"), { sync: sync as SyncMode });
const SYNC_DELAY_MS = 5 + rng.int(20);
const slowDisk: FileSystem = {
  ...delegatingFs(nodeFileSystem),
  open: async (path, flags) => {
    const handle = await nodeFileSystem.open(path, flags);
    return {
      ...delegatingHandle(handle),
      sync: async () => {
        await new Promise<void>((resolve) => setTimeout(resolve, SYNC_DELAY_MS));
        await handle.sync();
      },
    };
  },
};
const mirror = createMirror(store, {
  dir: join(dir, "mirror"),
  fs: slowDisk,
  views: MIRROR_KILL_VIEWS,
  intervalMs: 2,
  onError: (error) => {
    printNow(`error ${error instanceof Error ? error.message : String(error)}`);
  },
});
await mirror.flush();
printNow(`ready ${mirror.staleTempFilesRemoved}`);

const BURST_WRITES = 5;
const PAUSE_MS_MAX = 6;

async function caller(index: number, burst: number): Promise<void> {
  for (let count = 0; count < BURST_WRITES; count += 1) {
    const key = rng.bool(0.7) ? `b/${rng.int(300)}` : `k/${rng.int(20)}`;
    await store.set(key, { index, burst, count, pad: "x".repeat(rng.int(2_000)) });
  }
}

// Bursts, as a bot's load comes: between them the log is idle, which is when its checkpoint()
// (and so the mirror's next view write) completes; under a load that never pauses it waits.
for (let burst = 0; ; burst += 1) {
  await Promise.all(Array.from({ length: CALLERS }, (_, index) => caller(index, burst)));
  await new Promise<void>((resolve) => setTimeout(resolve, 1 + rng.int(PAUSE_MS_MAX)));
}
