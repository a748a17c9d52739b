import { join } from "node:path";
import { writeAll } from "@store/fs";
import { decodeLine } from "@store/log";
import { Rng, SimulatedDisk } from "@store/testkit";
import type { IssuedWrite } from "./model.js";
import { DATA_DIR, openOnFs, subSeed } from "./sim.js";
import { runWorkload } from "./workload.js";

export interface LogLine {
  readonly start: number;
  /** Just past the newline. */
  readonly end: number;
  /** The record's seq, if it has one. */
  readonly seq: number | undefined;
}

export interface LogFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly lines: readonly LogLine[];
}

/** A closed store's data files in replay order (base first), with every write it acknowledged. */
export interface LogFixture {
  readonly files: readonly LogFile[];
  readonly writes: readonly IssuedWrite[];
}

export interface FixtureShape {
  readonly writes: number;
  readonly segmentBytesMax: number;
  readonly compactAt: ReadonlySet<number>;
}

/** Writes a seeded history through a real Store on a simulated disk and returns its files. */
export async function buildLog(seed: number, shape: FixtureShape): Promise<LogFixture> {
  const disk = new SimulatedDisk();
  const store = await openOnFs(disk.fs, 1, { segmentBytesMax: shape.segmentBytesMax });
  const run = await runWorkload(store, new Rng(subSeed(seed, 9)), { writes: shape.writes, callers: 1, accounts: 3, compactAt: shape.compactAt, mirrorAt: new Set() }, { compact: () => store.compact() });
  if (!run.completed) throw new Error(`assertion failed: building the fixture log failed: ${String(run.firstError)}`);
  await store.close();
  const names = (await disk.fs.readdir(DATA_DIR)).filter((name) => name.endsWith(".log") || name.endsWith(".base"));
  const base = names.filter((name) => name.endsWith(".base")).at(-1);
  const baseNumber = base === undefined ? 0 : Number(base.slice(0, -".base".length));
  const live = names.filter((name) => name === base || (name.endsWith(".log") && Number(name.slice(0, -".log".length)) >= baseNumber));
  const files = await Promise.all(live.map(async (name) => fileOf(join(DATA_DIR, name), await disk.fs.readFile(join(DATA_DIR, name)))));
  return { files, writes: run.issued };
}

/** The file's records, without the preallocated zeros an active segment ends with (free space, not data). */
function fileOf(path: string, withZeros: Uint8Array): LogFile {
  let dataEnd = withZeros.length;
  while (dataEnd > 0 && withZeros[dataEnd - 1] === 0) dataEnd -= 1;
  const bytes = withZeros.subarray(0, dataEnd);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const lines: LogLine[] = [];
  for (let start = 0; start < buffer.length; ) {
    const newline = buffer.indexOf(0x0a, start);
    if (newline === -1) throw new Error(`assertion failed: ${path} ends with ${buffer.length - start} bytes that are neither a whole record nor zeros`);
    const decoded = decodeLine(buffer, start, newline);
    const seq = typeof decoded !== "string" && "seq" in decoded && decoded.op !== "entry" ? decoded.seq : undefined;
    lines.push({ start, end: newline + 1, seq });
    start = newline + 1;
  }
  return { path, bytes, lines };
}

/** A fresh disk holding the data files, each replaced by `override` where given, durably. */
export async function diskWith(files: readonly LogFile[], override: ReadonlyMap<string, Uint8Array> = new Map()): Promise<SimulatedDisk> {
  const disk = new SimulatedDisk();
  await disk.fs.mkdir(DATA_DIR);
  await disk.fs.fsyncDir("/");
  for (const file of files) await writeFile(disk, file.path, override.get(file.path) ?? file.bytes);
  await disk.fs.fsyncDir(DATA_DIR);
  return disk;
}

export async function writeFile(disk: SimulatedDisk, path: string, bytes: Uint8Array): Promise<void> {
  const handle = await disk.fs.open(path, "w");
  await writeAll(handle, bytes, 0);
  await handle.sync();
  await handle.close();
}

/** The highest seq among the files' lines, counting only the lines of the last file that end by `lastFileEnd`. */
export function seqOfLines(files: readonly LogFile[], lastFileEnd: number): number {
  let seq = 0;
  for (const [index, file] of files.entries()) {
    const isLast = index === files.length - 1;
    for (const line of file.lines) if (line.seq !== undefined && (!isLast || line.end <= lastFileEnd)) seq = Math.max(seq, line.seq);
  }
  return seq;
}
