import { CorruptionError } from "@store/log";
import { Rng, type SimulatedDisk } from "@store/testkit";
import type { FileSystem } from "@store/fs";
import { buildLog, diskWith, seqOfLines, type LogFixture } from "../log-fixture.js";
import { firstDifference, sameState, stateAt, stateOf } from "../model.js";
import { check, type CaseOptions, type Scenario } from "../scenario.js";
import { openOnFs, subSeed } from "../sim.js";

/** Bits flipped in a large log (a small one gets every bit). */
const LARGE_FLIPS = 600;

interface Flip {
  readonly file: number;
  readonly byte: number;
  readonly bit: number;
}

function flips(fixture: LogFixture, large: boolean, rng: Rng): Flip[] {
  const all: Flip[] = [];
  if (!large) {
    const file = fixture.files.length - 1;
    for (let byte = 0; byte < fixture.files[file]!.bytes.length; byte += 1) for (let bit = 0; bit < 8; bit += 1) all.push({ file, byte, bit });
    return all;
  }
  for (let index = 0; index < LARGE_FLIPS; index += 1) {
    const file = rng.int(fixture.files.length);
    all.push({ file, byte: rng.int(fixture.files[file]!.bytes.length), bit: rng.int(8) });
  }
  // Every bit of the base's end marker: its `bytes` and `crc` let an open skip each line's checksum,
  // so damage there must send the open back to the lines, never past them.
  const base = fixture.files.findIndex((file) => file.path.endsWith(".base"));
  const endMarker = fixture.files[base]?.lines.at(-1);
  if (endMarker !== undefined) for (let byte = endMarker.start; byte < endMarker.end; byte += 1) for (let bit = 0; bit < 8; bit += 1) all.push({ file: base, byte, bit });
  return all;
}

async function setByte(disk: SimulatedDisk, path: string, byte: number, value: number): Promise<void> {
  const handle = await disk.fs.open(path, "r+");
  await handle.write(Uint8Array.of(value), 0, 1, byte);
  await handle.close();
}

/**
 * One flipped bit: inside the last record of the last segment it is a torn tail (cut, the rest
 * intact); anywhere else it is STORE_CORRUPTED naming the file and an offset at or before the bit.
 */
async function checkFlip(fixture: LogFixture, fs: FileSystem, flip: Flip): Promise<void> {
  const file = fixture.files[flip.file]!;
  const where = `bit ${flip.bit} of byte ${flip.byte} of ${file.path}`;
  const isLastFile = flip.file === fixture.files.length - 1;
  const lastLine = file.lines.at(-1)!;
  const inTail = isLastFile && file.path.endsWith(".log") && flip.byte >= lastLine.start;
  const outcome = await openOnFs(fs, 1, { readOnly: true }).then(
    async (store) => {
      const opened = { state: stateOf(store), seq: store.seq };
      await store.close();
      return opened;
    },
    (error: unknown) => ({ error }),
  );
  if (inTail) {
    check(!("error" in outcome), () => `${where} is in the last record, a torn tail, but opening failed: ${"error" in outcome ? String(outcome.error) : ""}`);
    const expectedSeq = seqOfLines(fixture.files, lastLine.start);
    const expected = stateAt(new Map(), fixture.writes, expectedSeq);
    check(outcome.seq === expectedSeq && sameState(expected, outcome.state), () => `${where}: the torn tail was not cut exactly: ${firstDifference(expected, outcome.state)}`);
    return;
  }
  const error = "error" in outcome ? outcome.error : undefined;
  check(error instanceof CorruptionError, () => `${where} was not reported as corruption (got ${error instanceof Error ? error.message : "a store that opened"})`);
  check(error.path === file.path, `${where}: the corruption names ${String(error.path)}, not the damaged file`);
  check(error.offset !== undefined && error.offset <= flip.byte, `${where}: the corruption is reported at byte ${String(error.offset)}, after the damage`);
}

async function runCase(seed: number, options: CaseOptions): Promise<number> {
  const rng = new Rng(subSeed(seed, 1));
  const large = seed % 2 === 1;
  const fixture = await buildLog(seed, large ? { writes: 150 + rng.int(150), segmentBytesMax: 2500, compactAt: new Set([30 + rng.int(60)]) } : { writes: 5 + rng.int(8), segmentBytesMax: 1 << 20, compactAt: new Set() });
  const disk = await diskWith(fixture.files);
  const fs = options.wrapFs(disk.fs);
  const all = flips(fixture, large, rng);
  for (const flip of all) {
    const file = fixture.files[flip.file]!;
    const original = file.bytes[flip.byte]!;
    await setByte(disk, file.path, flip.byte, original ^ (1 << flip.bit));
    await checkFlip(fixture, fs, flip);
    await setByte(disk, file.path, flip.byte, original);
  }
  return all.length;
}

export const bitRot: Scenario = {
  name: "bit-rot",
  summary: "every bit of a small log flipped (a seeded sample of a large one with a base and several segments, and every bit of that base's end marker): detected as STORE_CORRUPTED with file and offset, or cut as a torn tail; never a silently different state",
  runCase,
};
