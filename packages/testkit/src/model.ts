import { ByteBuffer } from "./byte-buffer.js";

/** A change to a file's bytes made since its last successful sync. */
export type PendingOp =
  | { readonly kind: "write"; readonly position: number; readonly data: Uint8Array }
  | { readonly kind: "truncate"; readonly length: number };

/**
 * A file. `current` is what reads see; `durable` is what survives power loss, as of the last
 * successful sync plus nothing else; `pending` is what a crash may keep, drop or tear.
 */
export class Inode {
  readonly current: ByteBuffer;
  readonly durable: ByteBuffer;
  pending: PendingOp[] = [];
  mtimeMs: number;

  constructor(content: Uint8Array, mtimeMs: number) {
    this.current = new ByteBuffer(content);
    this.durable = new ByteBuffer(content);
    this.mtimeMs = mtimeMs;
  }

  write(position: number, data: Uint8Array, mtimeMs: number): void {
    // Not data.slice(): on a Buffer that is a view, and the caller may reuse its buffer at once.
    const copy = new Uint8Array(data);
    this.current.write(position, copy);
    this.pending.push({ kind: "write", position, data: copy });
    this.mtimeMs = mtimeMs;
  }

  truncate(length: number, mtimeMs: number): void {
    this.current.truncate(length);
    this.pending.push({ kind: "truncate", length });
    this.mtimeMs = mtimeMs;
  }

  /** A successful fsync: every pending change reaches the platter. */
  sync(): void {
    for (const op of this.pending) applyOp(this.durable, op);
    this.pending = [];
  }

  /**
   * A failed fsync, as Linux does it ("fsyncgate"): the dirty pages are marked clean without
   * being written, so reads still see them, a crash loses them, and a later fsync has nothing to
   * write for them.
   */
  failSync(): void {
    this.pending = [];
  }
}

export function applyOp(target: ByteBuffer, op: PendingOp): void {
  if (op.kind === "write") target.write(op.position, op.data);
  else target.truncate(op.length);
}

/**
 * A folder. `current` entries are what lookups see; `durable` entries are those as of the last
 * fsync of this folder, which is all a crash keeps.
 */
export class Folder {
  current = new Map<string, Node>();
  durable = new Map<string, Node>();
  mtimeMs: number;

  constructor(mtimeMs: number) {
    this.mtimeMs = mtimeMs;
  }

  fsync(): void {
    this.durable = new Map(this.current);
  }
}

export type Node = Inode | Folder;
