import { Rng } from "@store/testkit";
import { buildLog, diskWith, seqOfLines, type LogFixture } from "../log-fixture.js";
import { firstDifference, sameState, stateAt, stateOf } from "../model.js";
import { check, type CaseOptions, type Scenario } from "../scenario.js";
import { openOnFs, subSeed } from "../sim.js";

/** Cut points sampled in the last segment of a large log (besides every byte of its last records). */
const LARGE_SAMPLES = 120;
const LARGE_LAST_RECORDS = 2;

/** Every byte offset of a small log's segment; for a large one, its last records and a sample. */
function cutPoints(fixture: LogFixture, large: boolean, rng: Rng): number[] {
  const last = fixture.files.at(-1)!;
  const size = last.bytes.length;
  if (!large) return Array.from({ length: size + 1 }, (_, offset) => offset);
  const from = last.lines.at(-LARGE_LAST_RECORDS - 1)?.end ?? 0;
  const points = new Set(Array.from({ length: size - from + 1 }, (_, index) => from + index));
  for (let index = 0; index < LARGE_SAMPLES; index += 1) points.add(rng.int(size + 1));
  return [...points].sort((a, b) => a - b);
}

/**
 * The last segment truncated at `cut`: opening recovers exactly the whole records before it, reports
 * the cut bytes (read-only: reports without cutting), cuts them off the file, and takes writes.
 */
async function checkCut(fixture: LogFixture, cut: number, options: CaseOptions): Promise<void> {
  const last = fixture.files.at(-1)!;
  const wholeEnd = last.lines.filter((line) => line.end <= cut).at(-1)?.end ?? 0;
  const expectedSeq = seqOfLines(fixture.files, cut);
  const expected = stateAt(new Map(), fixture.writes, expectedSeq);
  const torn = cut - wholeEnd;
  const disk = await diskWith(fixture.files, new Map([[last.path, last.bytes.subarray(0, cut)]]));
  const fs = options.wrapFs(disk.fs);
  for (const readOnly of [true, false]) {
    const mode = readOnly ? "read-only" : "read-write";
    const store = await openOnFs(fs, 1, { readOnly });
    check(store.seq === expectedSeq, `cut at byte ${cut} (${mode}): recovered seq ${store.seq}, expected ${expectedSeq}`);
    check(sameState(expected, stateOf(store)), () => `cut at byte ${cut} (${mode}): ${firstDifference(expected, stateOf(store))}`);
    const reported = store.recovery.tornTail?.bytes ?? 0;
    check(reported === torn, `cut at byte ${cut} (${mode}): ${torn} torn bytes, but recovery reports ${reported}`);
    await store.close();
  }
  const size = (await fs.stat(last.path))?.size;
  check(size === wholeEnd, `cut at byte ${cut}: the file is ${String(size)} bytes after opening, the whole records end at ${wholeEnd}`);
  const store = await openOnFs(fs, 2);
  await store.set("after/recovery", cut);
  expected.set("after/recovery", cut);
  check(sameState(expected, stateOf(store)), () => `cut at byte ${cut}, write after recovery: ${firstDifference(expected, stateOf(store))}`);
  await store.close();
}

async function runCase(seed: number, options: CaseOptions): Promise<number> {
  const rng = new Rng(subSeed(seed, 1));
  const large = seed % 2 === 1;
  const fixture = await buildLog(seed, large ? { writes: 150 + rng.int(150), segmentBytesMax: 2000, compactAt: new Set([40 + rng.int(60)]) } : { writes: 6 + rng.int(10), segmentBytesMax: 1 << 20, compactAt: new Set() });
  const points = cutPoints(fixture, large, rng);
  for (const cut of points) await checkCut(fixture, cut, options);
  return points.length;
}

export const tornTail: Scenario = {
  name: "torn-tail",
  summary: "the last segment truncated at every byte offset (small logs) or its last records and a seeded sample (large logs): exactly the whole records come back, the cut is reported, never thrown, never invented",
  runCase,
};
