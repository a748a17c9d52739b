import { encodeFrame } from "./frame.js";
import { FRAME_HEADER_BYTES } from "./limits.js";

/** Where frames go: a `net.Socket`. */
export interface FrameSink {
  readonly writable: boolean;
  write(bytes: Buffer, callback?: (error?: Error | null) => void): boolean;
}

/** A request whose frame must be known to have reached the kernel (a batch: its loss is then an unknown outcome). */
export interface Flushable {
  flushed: boolean;
}

/** The staging buffer's first size, in bytes. */
const STAGING_BYTES_INITIAL = 16 * 1024;
/** A frame over this many bytes is written on its own (after what is staged), not copied through the staging buffer. */
const STAGED_FRAME_BYTES_MAX = 64 * 1024;
/** A staging buffer that grew past this is let go after its flush, so one burst does not pin the memory. */
const STAGING_BYTES_KEPT_MAX = 1024 * 1024;
const EVENT_TAIL = 0x7d; // "}"

/**
 * The frames a connection sends in one turn of the event loop, encoded straight into one staging
 * buffer and handed to the kernel with one write at `setImmediate`: one syscall, and one wakeup of
 * the peer, for everything the turn produced (the answers of a commit group and its change events,
 * the requests of every caller the last answers woke up), where a write per frame, or a `writev`
 * per tick, costs one each. On a busy host those wakeups, not the bytes, are what a socket costs.
 * Order is kept: a large frame written on its own first flushes what was staged before it.
 */
export class FrameWriter {
  readonly #socket: FrameSink;
  #staging = Buffer.allocUnsafeSlow(STAGING_BYTES_INITIAL);
  #used = 0;
  /** Requests whose frames are staged: marked flushed once the kernel took the write. */
  #flushables: Flushable[] = [];
  #scheduled = false;
  readonly #flushSoon = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  constructor(socket: FrameSink) {
    this.#socket = socket;
  }

  /** Bytes staged and not yet handed to the socket. */
  get stagedBytes(): number {
    return this.#used;
  }

  /** Stages one frame holding `text`; `flushable.flushed` becomes true once the kernel has it. */
  write(text: string, flushable?: Flushable): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit: the exact size is measured only when the bound is large.
    let bytesMax = FRAME_HEADER_BYTES + text.length * 3;
    if (bytesMax > STAGED_FRAME_BYTES_MAX) {
      bytesMax = FRAME_HEADER_BYTES + Buffer.byteLength(text, "utf8");
      if (bytesMax > STAGED_FRAME_BYTES_MAX) {
        this.#writeAlone(encodeFrame(text), flushable);
        return;
      }
    }
    this.#reserve(bytesMax);
    const start = this.#used;
    const size = this.#staging.write(text, start + FRAME_HEADER_BYTES, "utf8");
    this.#staging.writeUInt32BE(size, start);
    this.#used = start + FRAME_HEADER_BYTES + size;
    if (flushable !== undefined) this.#flushables.push(flushable);
    this.#schedule();
  }

  /**
   * Stages an event frame: `head` (ASCII: `{"t":"ev",...,"ops":`), the ops' bytes shared by every
   * subscriber, and the closing brace. Returns its size in bytes.
   */
  writeEvent(head: string, ops: Buffer): number {
    const bytes = FRAME_HEADER_BYTES + head.length + ops.length + 1;
    if (bytes > STAGED_FRAME_BYTES_MAX) {
      const frame = Buffer.allocUnsafe(bytes);
      this.#fillEvent(frame, 0, head, ops);
      this.#writeAlone(frame, undefined);
      return bytes;
    }
    this.#reserve(bytes);
    this.#fillEvent(this.#staging, this.#used, head, ops);
    this.#used += bytes;
    this.#schedule();
    return bytes;
  }

  /** Hands what is staged to the socket now (before `end()`, or to wait for a drain). */
  flush(): void {
    if (this.#used === 0) return;
    const out = Buffer.allocUnsafe(this.#used);
    this.#staging.copy(out, 0, 0, this.#used);
    this.#used = 0;
    if (this.#staging.length > STAGING_BYTES_KEPT_MAX) this.#staging = Buffer.allocUnsafeSlow(STAGING_BYTES_INITIAL);
    const flushables = this.#flushables;
    this.#flushables = [];
    this.#send(out, flushables);
  }

  /** Drops what is staged (the connection is gone or cut off): nothing of it was sent. */
  discard(): void {
    this.#used = 0;
    this.#flushables = [];
  }

  #fillEvent(target: Buffer, start: number, head: string, ops: Buffer): void {
    const headBytes = target.write(head, start + FRAME_HEADER_BYTES, "latin1");
    target.writeUInt32BE(headBytes + ops.length + 1, start);
    ops.copy(target, start + FRAME_HEADER_BYTES + headBytes);
    target[start + FRAME_HEADER_BYTES + headBytes + ops.length] = EVENT_TAIL;
  }

  #writeAlone(frame: Buffer, flushable: Flushable | undefined): void {
    this.flush();
    this.#send(frame, flushable === undefined ? [] : [flushable]);
  }

  #send(bytes: Buffer, flushables: Flushable[]): void {
    if (!this.#socket.writable) return;
    if (flushables.length === 0) {
      this.#socket.write(bytes);
      return;
    }
    this.#socket.write(bytes, (error) => {
      if (error !== undefined && error !== null) return;
      for (const flushable of flushables) flushable.flushed = true;
    });
  }

  #reserve(bytes: number): void {
    if (this.#used + bytes <= this.#staging.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.#staging.length * 2, this.#used + bytes));
    this.#staging.copy(grown, 0, 0, this.#used);
    this.#staging = grown;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flushSoon);
  }
}
