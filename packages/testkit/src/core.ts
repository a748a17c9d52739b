import { errnoError } from "@store/fs";
import { FaultPlan, type FaultOperation } from "./faults.js";
import { Folder, Inode } from "./model.js";
import { PowerCutError } from "./power-cut-error.js";
import type { Rng } from "./rng.js";

/** A fixed start for the simulated clock, so that mtimes are deterministic too. */
const CLOCK_START_MS = 1_700_000_000_000;

/**
 * The state of one simulated disk shared by its file system and handles: the tree, the operation
 * counter that power cuts are aimed at, the armed faults and the capacity.
 */
export class DiskCore {
  readonly root: Folder;
  readonly faults = new FaultPlan();
  readonly openInodes = new Map<Inode, number>();
  operationCount = 0;
  cutAtOperation: number | undefined;
  powerIsCut = false;
  capacityBytes: number | undefined;
  /** Set: writes land late, in a seeded order (see `SimulatedDisk.landWritesLate`). */
  lateWrites: Rng | undefined;

  constructor(root: Folder, capacityBytes: number | undefined) {
    this.root = root;
    this.capacityBytes = capacityBytes;
  }

  /** Simulated time: advances one millisecond per mutating operation. */
  get nowMs(): number {
    return CLOCK_START_MS + this.operationCount;
  }

  /** Every operation, reads included, fails once the power is out. */
  assertPower(): void {
    if (this.powerIsCut) throw new PowerCutError(this.operationCount);
  }

  /** Counts one mutating operation; it is the one the power cut hits if its index is reached. */
  beginMutation(): void {
    this.assertPower();
    if (this.cutAtOperation !== undefined && this.operationCount >= this.cutAtOperation) {
      this.powerIsCut = true;
      throw new PowerCutError(this.operationCount);
    }
    this.operationCount += 1;
  }

  /** With late writes: resolves 0 to 3 event-loop turns from now (seeded). */
  async writeLatency(rng: Rng): Promise<void> {
    for (let turns = rng.int(4); turns > 0; turns -= 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Throws the injected errno error if a fault fires here (short writes are the caller's job). */
  failIfFaulted(operation: FaultOperation, syscall: string, ...paths: string[]): "short-write" | undefined {
    const kind = this.faults.take(operation, ...paths);
    if (kind === undefined || kind === "short-write") return kind;
    throw errnoError(kind, syscall, paths[0] ?? "");
  }

  /** Bytes still free under the capacity limit, or Infinity when there is none. */
  freeBytes(): number {
    if (this.capacityBytes === undefined) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.capacityBytes - this.#usedBytes());
  }

  /** Space is held by every file that has a name or is still open, counted once per inode. */
  #usedBytes(): number {
    const seen = new Set<Inode>(this.openInodes.keys());
    const visit = (folder: Folder): void => {
      for (const node of folder.current.values()) {
        if (node instanceof Folder) visit(node);
        else seen.add(node);
      }
    };
    visit(this.root);
    let total = 0;
    for (const inode of seen) total += inode.current.size;
    return total;
  }
}
