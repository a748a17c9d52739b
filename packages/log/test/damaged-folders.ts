import fc from "fast-check";
import { Rng, SimulatedDisk } from "@store/testkit";
import { expect } from "vitest";
import { followLog, openStore, readLog, verifyFolder, type JsonValue, type LogRecord, type SyncMode } from "../src/index.js";
import { DATA_DIR, openOnDisk } from "./sim-helpers.js";

/**
 * Every reader of a folder (a read-only open, readLog, verifyFolder, followLog) must reach the
 * verdict opening reaches, on any folder: these damage real folders on the simulated disk in the
 * ways disks and people damage them, and compare.
 */

type Damage =
  | { kind: "truncate"; file: number; at: number }
  | { kind: "flip"; file: number; at: number; bit: number }
  | { kind: "zero"; file: number; at: number; bytes: number }
  | { kind: "append"; file: number; junk: "garbage" | "zeros" | "record-prefix" }
  | { kind: "unlink"; file: number }
  | { kind: "headerless-segment"; file: number; tornHeaderBytes: number };

export interface Case {
  readonly seed: number;
  readonly writes: number;
  readonly sync: SyncMode;
  readonly preallocate: boolean;
  readonly compactEvery: number;
  readonly damages: readonly Damage[];
  /** Open with onCorruption: "salvage" after the first damage, then apply the rest. */
  readonly salvageAfterFirst: boolean;
}

const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), file: fraction, at: fraction }),
  fc.record({ kind: fc.constant("flip" as const), file: fraction, at: fraction, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("zero" as const), file: fraction, at: fraction, bytes: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant("append" as const), file: fraction, junk: fc.constantFrom("garbage" as const, "zeros" as const, "record-prefix" as const) }),
  fc.record({ kind: fc.constant("unlink" as const), file: fraction }),
  fc.record({ kind: fc.constant("headerless-segment" as const), file: fraction, tornHeaderBytes: fc.integer({ min: 0, max: 60 }) }),
);
export const caseArb: fc.Arbitrary<Case> = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  writes: fc.integer({ min: 0, max: 24 }),
  sync: fc.constantFrom<SyncMode>("always", "always", "none"),
  preallocate: fc.boolean(),
  compactEvery: fc.integer({ min: 0, max: 12 }),
  damages: fc.array(damageArb, { minLength: 1, maxLength: 2 }),
  salvageAfterFirst: fc.boolean(),
});

type State = readonly [number, ReadonlyArray<readonly [string, JsonValue]>];
type Outcome = { readonly code: "ok"; readonly state: State } | { readonly code: string };

export async function buildFolder(disk: SimulatedDisk, spec: Case): Promise<void> {
  const rng = new Rng(spec.seed);
  const store = await openOnDisk(disk, 1, { segmentBytesMax: 300, segmentPreallocateBytes: spec.preallocate ? 512 : 0, sync: spec.sync });
  for (let index = 1; index <= spec.writes; index += 1) {
    const key = `k/${rng.int(5)}`;
    const roll = rng.int(8);
    if (roll === 0) await store.delete(key);
    else if (roll === 1) await store.batch([{ type: "set", key, value: index }, { type: "delete", key: `k/${rng.int(5)}x` }]);
    else await store.set(key, { index, pad: "p".repeat(rng.int(30)) });
    if (spec.compactEvery > 0 && index % spec.compactEvery === 0) await store.compact();
  }
  await store.close();
}

const numbered = (name: string): number => Number(name.slice(0, name.indexOf(".")));

async function liveNames(disk: SimulatedDisk): Promise<string[]> {
  return (await disk.fs.readdir(DATA_DIR)).filter((name) => /^\d+\.(log|base)$/.test(name)).sort((a, b) => numbered(a) - numbered(b));
}

export async function damage(disk: SimulatedDisk, spec: Damage): Promise<void> {
  const names = await liveNames(disk);
  if (names.length === 0) return;
  const name = names[Math.floor(spec.file * names.length)]!;
  const path = `${DATA_DIR}/${name}`;
  if (spec.kind === "unlink") return disk.fs.unlink(path);
  if (spec.kind === "headerless-segment") return insertHeaderlessSegment(disk, names, numbered(name), spec.tornHeaderBytes);
  const bytes = await disk.fs.readFile(path);
  const handle = await disk.fs.open(path, "r+");
  try {
    if (spec.kind === "append") {
      const junk = spec.junk === "garbage" ? Buffer.from("}{ not a record\n") : spec.junk === "zeros" ? Buffer.alloc(50) : Buffer.from('0badf00d {"op":"set","seq":');
      await handle.write(junk, 0, junk.length, bytes.length);
      return;
    }
    const at = Math.floor(spec.at * (bytes.length + 1));
    if (spec.kind === "truncate") await handle.truncate(at);
    else if (spec.kind === "flip" && at < bytes.length) await handle.write(Uint8Array.of(bytes[at]! ^ (1 << spec.bit)), 0, 1, at);
    else if (spec.kind === "zero") {
      const length = Math.max(0, Math.min(spec.bytes, bytes.length - at));
      await handle.write(new Uint8Array(length), 0, length, at);
    }
  } finally {
    await handle.close();
  }
}

/** A segment creation of an earlier version that stopped in its header, at `fileNumber` (the files from there on move up one). */
async function insertHeaderlessSegment(disk: SimulatedDisk, names: readonly string[], fileNumber: number, tornBytes: number): Promise<void> {
  for (const name of [...names].reverse()) {
    if (numbered(name) < fileNumber) continue;
    await disk.fs.rename(`${DATA_DIR}/${name}`, `${DATA_DIR}/${String(numbered(name) + 1).padStart(6, "0")}${name.slice(name.indexOf("."))}`);
  }
  const torn = Buffer.from('0badf00d {"op":"header","format":"store-log","v":1,"kind":"segment"'.slice(0, tornBytes));
  const handle = await disk.fs.open(`${DATA_DIR}/${String(fileNumber).padStart(6, "0")}.log`, "w");
  await handle.write(torn, 0, torn.length, 0);
  await handle.close();
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") throw error; // a bug, not a verdict
  return code;
}

async function readOnlyOpen(disk: SimulatedDisk): Promise<Outcome> {
  try {
    const store = await openStore(DATA_DIR, { fs: disk.fs, readOnly: true });
    const state: State = [store.seq, [...store.scan()]];
    await store.close();
    return { code: "ok", state };
  } catch (error) {
    return { code: codeOf(error) };
  }
}

function applyRecord(map: Map<string, JsonValue>, record: LogRecord): void {
  if (record.op === "entry" || record.op === "set") map.set(record.key, record.value);
  else if (record.op === "del") map.delete(record.key);
  else if (record.op === "batch") {
    for (const op of record.ops) {
      if (op.op === "set") map.set(op.key, op.value);
      else map.delete(op.key);
    }
  }
}

async function readLogOutcome(disk: SimulatedDisk): Promise<Outcome & { segmentRecords?: number[] }> {
  const map = new Map<string, JsonValue>();
  let seq = 0;
  const segmentRecords: number[] = [];
  try {
    for await (const { record } of readLog(DATA_DIR, { fs: disk.fs })) {
      applyRecord(map, record);
      if (record.op === "header") seq = Math.max(seq, record.seq);
      if (record.op === "set" || record.op === "del" || record.op === "batch") {
        seq = record.seq;
        segmentRecords.push(record.seq);
      }
    }
  } catch (error) {
    return { code: codeOf(error) };
  }
  return { code: "ok", state: [seq, [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))], segmentRecords };
}

/** The seqs followLog gives from the newest base on, or its error code. */
async function followOutcome(disk: SimulatedDisk, afterSeq: number): Promise<{ code: string; seqs: number[] }> {
  const seqs: number[] = [];
  try {
    for await (const { seq } of followLog(DATA_DIR, { fs: disk.fs, afterSeq, follow: false })) seqs.push(seq);
    return { code: "ok", seqs };
  } catch (error) {
    return { code: codeOf(error), seqs };
  }
}

/** Where the live segments start: the first segment header's seq (follow from there gives what readLog gives). */
async function liveSegmentsStart(disk: SimulatedDisk): Promise<number | undefined> {
  for await (const { record } of readLog(DATA_DIR, { fs: disk.fs })) if (record.op === "header" && record.kind === "segment") return record.seq;
  return undefined;
}

export async function checkReadersAgree(disk: SimulatedDisk): Promise<void> {
  const opened = await readOnlyOpen(disk);
  const read = await readLogOutcome(disk);
  const verified = await verifyFolder(DATA_DIR, { fs: disk.fs, backups: false }).then((report) => report, (error: unknown) => codeOf(error));
  const withBackups = await verifyFolder(DATA_DIR, { fs: disk.fs }).then((report) => report, (error: unknown) => codeOf(error));
  expect(read.code, "readLog against a read-only open").toBe(opened.code);
  if (opened.code === "ok" && "state" in opened && "state" in read) expect(read.state, "the state readLog replays").toEqual(opened.state);
  const verifyCode = typeof verified === "string" ? verified : verified.ok ? "ok" : "STORE_CORRUPTED";
  expect(verifyCode, `verifyFolder against a read-only open: ${JSON.stringify(typeof verified === "string" ? verified : verified.findings)}`).toBe(opened.code);
  // Backups are never damaged here: what opening retired must verify.
  const backupsCode = typeof withBackups === "string" ? withBackups : withBackups.ok ? "ok" : "STORE_CORRUPTED";
  expect(backupsCode, `verifyFolder with backups: ${JSON.stringify(typeof withBackups === "string" ? withBackups : withBackups.findings)}`).toBe(verifyCode);
  if (opened.code !== "ok") return;
  // A folder that opens can be followed from where its live segments start, and gives the records readLog gives.
  const start = await liveSegmentsStart(disk);
  if (start === undefined) return;
  const followed = await followOutcome(disk, start);
  expect(followed.code, "followLog from the live segments on, in a folder that opens").toBe("ok");
  expect(followed.seqs).toEqual(read.segmentRecords);
}

export async function run(spec: Case): Promise<void> {
  const disk = new SimulatedDisk();
  await buildFolder(disk, spec);
  const [first, ...rest] = spec.damages;
  await damage(disk, first!);
  if (spec.salvageAfterFirst) {
    const salvaged = await openOnDisk(disk, 2, { onCorruption: "salvage", segmentBytesMax: 300 }).catch((error: unknown) => codeOf(error));
    if (typeof salvaged !== "string") {
      await salvaged.close();
      // What salvage leaves opens, and every reader agrees, before anything else happens to it.
      const after = await readOnlyOpen(disk);
      expect(after.code, "a read-only open after a salvage").toBe("ok");
      await checkReadersAgree(disk);
    }
  }
  for (const next of rest) await damage(disk, next);
  await checkReadersAgree(disk);
}

