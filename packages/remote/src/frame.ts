import { remoteError } from "./errors.js";
import { FRAME_HEADER_BYTES } from "./limits.js";

/** One frame: the payload's byte length as a 32-bit big-endian integer, then the payload (UTF-8 JSON). */
export function encodeFrame(text: string): Buffer {
  const size = Buffer.byteLength(text, "utf8");
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + size);
  frame.writeUInt32BE(size, 0);
  frame.write(text, FRAME_HEADER_BYTES, "utf8");
  return frame;
}

/**
 * Cuts a byte stream into frames. The length a header announces is checked against `frameBytesMax`
 * as soon as the 4 header bytes are in, before any byte of the payload is awaited or any memory is
 * set aside for it: a peer announcing 4 GiB gets a `STORE_PROTOCOL` error, not an allocation.
 * Bytes are kept as the chunks that arrived (no copy until a frame is whole), so a large frame costs
 * one copy, not one per chunk.
 */
export class FrameReader {
  readonly #frameBytesMax: number;
  #chunks: Buffer[] = [];
  #bufferedBytes = 0;
  #framesRead = 0;

  constructor(frameBytesMax: number) {
    this.#frameBytesMax = frameBytesMax;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#bufferedBytes += chunk.length;
  }

  /** Bytes received and not yet returned as a frame (a partial frame when the peer stops). */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** The next whole frame's payload, or undefined until more bytes arrive. Throws `STORE_PROTOCOL` on an oversized length. */
  next(): Buffer | undefined {
    if (this.#bufferedBytes < FRAME_HEADER_BYTES) return undefined;
    const size = this.#header().readUInt32BE(0);
    if (size > this.#frameBytesMax) {
      throw remoteError(
        "STORE_PROTOCOL",
        `Frame ${this.#framesRead + 1} announces ${size} bytes, over frameBytesMax (${this.#frameBytesMax} bytes)${describeStart(this.#header())}. Nothing of it was read.`,
      );
    }
    if (this.#bufferedBytes < FRAME_HEADER_BYTES + size) return undefined;
    this.#framesRead += 1;
    return this.#take(FRAME_HEADER_BYTES + size).subarray(FRAME_HEADER_BYTES);
  }

  #header(): Buffer {
    const first = this.#chunks[0]!;
    if (first.length >= FRAME_HEADER_BYTES) return first;
    return Buffer.concat(this.#chunks, Math.min(this.#bufferedBytes, 16)).subarray(0, FRAME_HEADER_BYTES);
  }

  #take(bytes: number): Buffer {
    this.#bufferedBytes -= bytes;
    const first = this.#chunks[0]!;
    if (first.length >= bytes) {
      if (first.length === bytes) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(bytes);
      return first.subarray(0, bytes);
    }
    const parts: Buffer[] = [];
    let needed = bytes;
    while (needed > 0) {
      const chunk = this.#chunks[0]!;
      if (chunk.length <= needed) {
        parts.push(chunk);
        this.#chunks.shift();
        needed -= chunk.length;
      } else {
        parts.push(chunk.subarray(0, needed));
        this.#chunks[0] = chunk.subarray(needed);
        needed = 0;
      }
    }
    return Buffer.concat(parts, bytes);
  }
}

// A peer that is not a store-remote client (an HTTP request, a shell's echo) is usually caught here:
// its first bytes read as a huge length. Say what they were.
function describeStart(header: Buffer): string {
  const text = header.subarray(0, FRAME_HEADER_BYTES).toString("latin1");
  return /^[\x20-\x7e]{4}$/u.test(text) ? ` (its first bytes read ${JSON.stringify(text)}: is the peer speaking the store-remote protocol?)` : "";
}
