import { ByteBuffer } from "./byte-buffer.js";
import { applyOp, Folder, Inode, type PendingOp } from "./model.js";
import type { Rng } from "./rng.js";

export type CrashOutcome = "kept" | "dropped" | "torn";
/** What fills the rest of a torn write: nothing (the file ends or keeps older bytes), zeros, or garbage. */
export type TornFiller = "none" | "zeros" | "garbage";

/** One choice `crash` made about one pending change, for test assertions and for debugging a seed. */
export interface CrashDecision {
  /** The first surviving path of the file. */
  readonly path: string;
  readonly kind: PendingOp["kind"];
  /** Write position, or the length truncated to. */
  readonly position: number;
  /** Bytes the write asked for (0 for a truncate). */
  readonly length: number;
  readonly outcome: CrashOutcome;
  /** Bytes of the write's data that reached the disk. */
  readonly keptBytes: number;
  readonly filler: TornFiller;
}

const FILLERS: readonly TornFiller[] = ["none", "zeros", "garbage"];

/**
 * The tree as it comes back after power loss: every folder reverts to its durable entries, and
 * every file still named by one starts from its durable bytes with each pending change kept,
 * dropped or torn. Reads the old tree only, so one state can be crashed with many seeds.
 */
export function crashTree(root: Folder, rng: Rng, nowMs: number, decisions: CrashDecision[]): Folder {
  const inodes = new Map<Inode, Inode>();
  const folders = new Map<Folder, Folder>();

  const reviveFolder = (old: Folder, path: string): Folder => {
    const known = folders.get(old);
    if (known !== undefined) return known;
    const revived = new Folder(old.mtimeMs);
    folders.set(old, revived);
    for (const [name, node] of old.durable) {
      const childPath = `${path}/${name}`;
      revived.current.set(name, node instanceof Folder ? reviveFolder(node, childPath) : reviveInode(node, childPath));
    }
    revived.fsync();
    return revived;
  };

  const reviveInode = (old: Inode, path: string): Inode => {
    const known = inodes.get(old);
    if (known !== undefined) return known;
    const bytes = old.durable.clone();
    for (const op of old.pending) decisions.push(replay(bytes, op, rng, path));
    const revived = new Inode(bytes.view(), old.pending.length > 0 ? nowMs : old.mtimeMs);
    inodes.set(old, revived);
    return revived;
  };

  return reviveFolder(root, "");
}

function replay(bytes: ByteBuffer, op: PendingOp, rng: Rng, path: string): CrashDecision {
  if (op.kind === "truncate") {
    const kept = rng.bool();
    if (kept) applyOp(bytes, op);
    return { path, kind: op.kind, position: op.length, length: 0, outcome: kept ? "kept" : "dropped", keptBytes: 0, filler: "none" };
  }
  const base = { path, kind: op.kind, position: op.position, length: op.data.length };
  const roll = op.data.length === 0 ? 0 : rng.int(3);
  if (roll === 0) {
    applyOp(bytes, op);
    return { ...base, outcome: "kept", keptBytes: op.data.length, filler: "none" };
  }
  if (roll === 1) return { ...base, outcome: "dropped", keptBytes: 0, filler: "none" };
  const keptBytes = rng.int(op.data.length);
  const filler = rng.pick(FILLERS);
  const torn = new Uint8Array(op.data); // a copy: the torn bytes must not reach the pending op
  const rest = torn.length - keptBytes;
  if (filler === "zeros") torn.fill(0, keptBytes);
  if (filler === "garbage") torn.set(rng.bytes(rest), keptBytes);
  bytes.write(op.position, filler === "none" ? torn.subarray(0, keptBytes) : torn);
  return { ...base, outcome: "torn", keptBytes, filler };
}
