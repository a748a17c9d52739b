import type { FileSystem } from "@store/fs";
import { DiskCore } from "./core.js";
import { crashTree, type CrashDecision } from "./crash.js";
import type { Fault } from "./faults.js";
import { Folder } from "./model.js";
import type { Rng } from "./rng.js";
import { SimulatedFileSystem } from "./simulated-file-system.js";

/**
 * An in-memory disk behind the `FileSystem` seam that can lose power: it keeps, per file, the
 * durable bytes and the writes since the last fsync, and per folder the durable entries, so that
 * `crash(rng)` can hand back what a real disk might show after power loss. See README.md.
 */
export class SimulatedDisk {
  #core: DiskCore;
  #fs: SimulatedFileSystem;
  #crashReport: readonly CrashDecision[] = [];

  constructor() {
    const root = new Folder(0);
    root.fsync();
    this.#core = new DiskCore(root, undefined);
    this.#fs = new SimulatedFileSystem(this.#core);
  }

  /** The seam; paths are absolute POSIX paths and "/" exists. */
  get fs(): FileSystem {
    return this.#fs;
  }

  /** Mutating operations so far: the index the next one will have. */
  get operationCount(): number {
    return this.#core.operationCount;
  }

  get powerIsCut(): boolean {
    return this.#core.powerIsCut;
  }

  /** The choices the crash that made this disk took, in order (empty for a new disk). */
  get crashReport(): readonly CrashDecision[] {
    return this.#crashReport;
  }

  /** The operation with this 0-based index and every later operation throw PowerCutError. */
  cutPowerAt(operationIndex: number): void {
    if (!Number.isSafeInteger(operationIndex) || operationIndex < 0) {
      throw new TypeError(`cutPowerAt needs a non-negative integer operation index, got ${String(operationIndex)}`);
    }
    this.#core.cutAtOperation = operationIndex;
    if (operationIndex < this.#core.operationCount) this.#core.powerIsCut = true;
  }

  /**
   * A new disk holding what survives a power loss now; this disk is left as it is, so the same
   * state can be crashed with many seeds. Faults are not carried over; the capacity is.
   */
  crash(rng: Rng): SimulatedDisk {
    const decisions: CrashDecision[] = [];
    const root = crashTree(this.#core.root, rng, this.#core.nowMs, decisions);
    const disk = new SimulatedDisk();
    disk.#core = new DiskCore(root, this.#core.capacityBytes);
    disk.#fs = new SimulatedFileSystem(disk.#core);
    disk.#crashReport = decisions;
    return disk;
  }

  /**
   * From now on every write lands 0 to 3 event-loop turns after it is issued, chosen by `rng`, so
   * writes in flight at the same time land in any order (as pwrites on libuv's thread pool do), and
   * an fsync issued meanwhile does not cover them. Off by default: then a write lands when issued.
   * Not carried over by `crash`.
   */
  landWritesLate(rng: Rng): void {
    this.#core.lateWrites = rng;
  }

  injectFault(fault: Fault): void {
    this.#core.faults.add(fault);
  }

  clearFaults(): void {
    this.#core.faults.clear();
  }

  /** Total bytes all files may hold; a write past it writes what fits, then fails with ENOSPC. */
  setCapacityBytes(bytes: number | undefined): void {
    if (bytes !== undefined && (!Number.isSafeInteger(bytes) || bytes < 0)) {
      throw new TypeError(`Capacity must be a non-negative integer of bytes or undefined, got ${String(bytes)}`);
    }
    this.#core.capacityBytes = bytes;
  }

  /** The current content of every file by path, sorted by path (a file with two names appears twice). */
  files(): Map<string, Uint8Array> {
    const found: [string, Uint8Array][] = [];
    const visit = (folder: Folder, prefix: string): void => {
      for (const [name, node] of folder.current) {
        if (node instanceof Folder) visit(node, `${prefix}/${name}`);
        else found.push([`${prefix}/${name}`, node.current.copy()]);
      }
    };
    visit(this.#core.root, "");
    return new Map(found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
