export type FaultKind = "EIO" | "ENOSPC" | "short-write";
export type FaultOperation = "write" | "sync" | "read" | "rename" | "open" | "unlink" | "fsyncDir" | "truncate" | "link";

/**
 * Makes the `nth` (1-based) matching operation, counted from when the fault is injected, fail with
 * `kind`. `sync` covers both sync() and datasync(). Each fault fires once.
 */
export interface Fault {
  operation: FaultOperation;
  nth: number;
  kind: FaultKind;
  /** Only operations on a path containing this string count (either path of a rename or link). */
  pathIncludes?: string;
}

interface Armed {
  readonly fault: Fault;
  seen: number;
}

const OPERATIONS: readonly FaultOperation[] = ["write", "sync", "read", "rename", "open", "unlink", "fsyncDir", "truncate", "link"];

/** The faults armed on a disk, and how many matching operations each has seen. */
export class FaultPlan {
  #armed: Armed[] = [];

  add(fault: Fault): void {
    validate(fault);
    this.#armed.push({ fault: { ...fault }, seen: 0 });
  }

  clear(): void {
    this.#armed = [];
  }

  /** Counts one `operation` on `paths` against every armed fault; the first that fires is returned. */
  take(operation: FaultOperation, ...paths: string[]): FaultKind | undefined {
    let fired: Armed | undefined;
    for (const armed of this.#armed) {
      const { fault } = armed;
      if (fault.operation !== operation) continue;
      const filter = fault.pathIncludes;
      if (filter !== undefined && !paths.some((path) => path.includes(filter))) continue;
      armed.seen += 1;
      if (armed.seen === fault.nth && fired === undefined) fired = armed;
    }
    if (fired === undefined) return undefined;
    this.#armed = this.#armed.filter((armed) => armed !== fired);
    return fired.fault.kind;
  }
}

function validate(fault: Fault): void {
  const shown = JSON.stringify(fault);
  if (!OPERATIONS.includes(fault.operation)) throw new TypeError(`Unknown fault operation in ${shown}`);
  if (!Number.isSafeInteger(fault.nth) || fault.nth < 1) throw new TypeError(`Fault nth must be an integer >= 1 in ${shown}`);
  if (fault.kind === "short-write" && fault.operation !== "write") {
    throw new TypeError(`A short-write fault only applies to "write", got ${shown}`);
  }
  if (fault.kind === "ENOSPC" && fault.operation === "read") throw new TypeError(`A read cannot run out of space: ${shown}`);
  if (!["EIO", "ENOSPC", "short-write"].includes(fault.kind)) throw new TypeError(`Unknown fault kind in ${shown}`);
}
