import { SimulatedDisk, delegatingFs } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { StoreError, openStore, type JsonValue, type Store } from "../src/index.js";
import { runFixture } from "./child-process.js";
import { tempDir } from "./helpers.js";
import { DATA_DIR, bootProbe, openOnDisk } from "./sim-helpers.js";

/** The compactor child's keys: batch i sets `last` and `k/<i % KEYS>` to i. */
const KEYS = 97;
/** Keys p/0.. the child writes first, in batches 1 to `prefillSeq`. */
const PREFILL_KEYS = 5_000;

/** The state after the child's batches 1..seq (its loop starts after `prefillSeq`). */
function stateAt(seq: number, prefillSeq = 0): Map<string, JsonValue> {
  const state = new Map<string, JsonValue>();
  if (prefillSeq > 0) for (let key = 0; key < PREFILL_KEYS; key += 1) state.set(`p/${key}`, key);
  if (seq > prefillSeq) state.set("last", seq);
  for (let key = 0; key < KEYS; key += 1) {
    const latest = seq - ((((seq - key) % KEYS) + KEYS) % KEYS);
    if (latest > prefillSeq) state.set(`k/${key}`, latest);
  }
  return state;
}

function expectPrefixState(store: Store, where: string, prefillSeq = 0): void {
  const expected = stateAt(store.seq, prefillSeq);
  const state = new Map(store.scan());
  const wrong = [...expected].filter(([key, value]) => state.get(key) !== value);
  expect(wrong.slice(0, 3), `${where}: the state is not the writer's at seq ${store.seq}`).toEqual([]);
  expect(state.size, `${where}: keys the writer had not written at seq ${store.seq}`).toBe(expected.size);
}

describe("a read-only open while a writer compacts", () => {
  it("a real writer process compacting in a loop: 150 read-only opens all succeed, each with the writer's state at one seq", async () => {
    const dir = await tempDir();
    const child = runFixture("compactor-child", [dir]);
    try {
      const ready = await child.waitFor((line) => line.startsWith("ready "));
      const prefillSeq = Number(ready.split(" ")[1]);
      let lastSeq = prefillSeq;
      for (let open = 0; open < 150; open += 1) {
        const store = await openStore(dir, { readOnly: true });
        expectPrefixState(store, `open ${open}`, prefillSeq);
        expect(store.seq, "a later open never goes back in time").toBeGreaterThanOrEqual(lastSeq);
        lastSeq = store.seq;
        await store.close();
      }
    } finally {
      child.process.kill("SIGKILL");
      await child.exited;
    }
  });

  it("a file listed and then retired by a compaction before it is opened: the open lists the folder again and gets the new state", async () => {
    const disk = new SimulatedDisk();
    const writer = await openOnDisk(disk, 1, { segmentBytesMax: 512 });
    for (let seq = 1; seq <= 60; seq += 1) await writer.batch([{ type: "set", key: "last", value: seq }, { type: "set", key: `k/${seq % KEYS}`, value: seq }]);
    await writer.compact();
    for (let seq = 61; seq <= 120; seq += 1) await writer.batch([{ type: "set", key: "last", value: seq }, { type: "set", key: `k/${seq % KEYS}`, value: seq }]);
    let compacted = false;
    // The reader's first open of a segment comes after its listing: compact right then.
    const fs = {
      ...delegatingFs(disk.fs),
      open: async (path: string, flags: "r" | "r+" | "a" | "wx" | "w") => {
        if (!compacted && flags === "r" && path.endsWith(".log")) {
          compacted = true;
          const { retiredFiles } = await writer.compact();
          expect(retiredFiles).toContain(path.slice(DATA_DIR.length + 1));
        }
        return disk.fs.open(path, flags);
      },
    };
    const reader = await openStore(DATA_DIR, { fs, readOnly: true });
    expect(compacted).toBe(true);
    expect(reader.seq).toBe(120);
    expectPrefixState(reader, "after the compaction");
    await reader.close();
    await writer.close();
  });

  it("a folder that changes at every listing: after a bounded number of listings, a StoreError saying what to do", async () => {
    const disk = new SimulatedDisk();
    const writer = await openOnDisk(disk, 1);
    await writer.set("k", 1);
    await writer.compact();
    let compactions = 0;
    const fs = {
      ...delegatingFs(disk.fs),
      open: async (path: string, flags: "r" | "r+" | "a" | "wx" | "w") => {
        if (flags === "r" && path.endsWith(".log")) {
          compactions += 1;
          await writer.compact();
        }
        return disk.fs.open(path, flags);
      },
    };
    const error = await openStore(DATA_DIR, { fs, readOnly: true, processProbe: bootProbe(2) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: "STORE_IO", path: DATA_DIR });
    expect((error as Error).message).toMatch(/changed \d+ times while they were read.*Open it again/);
    expect(compactions).toBeGreaterThan(1);
    expect(compactions).toBeLessThanOrEqual(10);
    await writer.close();
  });
});
