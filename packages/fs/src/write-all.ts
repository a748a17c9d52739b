import type { FileHandle } from "./file-system.js";

/**
 * Writes every byte of `data`, looping over short writes (a disk that is nearly full, or a signal,
 * can make write(2) return less than asked). `position` null means append.
 */
export async function writeAll(handle: FileHandle, data: Uint8Array, position: number | null): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const at = position === null ? null : position + written;
    const count = await handle.write(data, written, data.length - written, at);
    if (count <= 0) {
      throw new Error(`write to ${handle.path} made no progress at byte ${written} of ${data.length}`);
    }
    written += count;
  }
}

/** Reads a whole open file from `position` to its end. */
export async function readToEnd(handle: FileHandle, position = 0): Promise<Uint8Array> {
  const size = await handle.size();
  const bytes = new Uint8Array(Math.max(0, size - position));
  let filled = 0;
  while (filled < bytes.length) {
    const count = await handle.read(bytes, filled, bytes.length - filled, position + filled);
    if (count === 0) break;
    filled += count;
  }
  return filled === bytes.length ? bytes : bytes.subarray(0, filled);
}
