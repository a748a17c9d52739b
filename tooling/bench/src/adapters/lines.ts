import type { FileHandle } from "node:fs/promises";
import type { Player } from "../record.js";

/** The JSON object a file-based baseline appends per set. */
export type LineShape = (key: string, value: Player) => unknown;

const keyAndValue: LineShape = (key, value) => ({ key, value });

/** One newline-terminated JSON line. */
export function encodeLine(key: string, value: Player, shape: LineShape = keyAndValue): Buffer {
  return Buffer.from(`${JSON.stringify(shape(key, value))}\n`);
}

/** Loops over short writes; `position` null writes at the file's current end (append). */
export async function writeFully(file: FileHandle, bytes: Buffer, position: number | null = null): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const at = position === null ? null : position + written;
    const { bytesWritten } = await file.write(bytes, written, bytes.length - written, at);
    if (bytesWritten <= 0) throw new Error(`write to benchmark file made no progress at byte ${written}`);
    written += bytesWritten;
  }
}

const chunkBytesMax = 1 << 20;

/** Writes one line per record through `write` in 1 MiB chunks (prefill only: not timed, not flushed). */
export async function appendLines(
  write: (bytes: Buffer) => Promise<void>,
  records: Iterable<readonly [string, Player]>,
  visit: (key: string, value: Player) => void,
  shape: LineShape = keyAndValue,
): Promise<void> {
  let chunk: Buffer[] = [];
  let chunkBytes = 0;
  for (const [key, value] of records) {
    const line = encodeLine(key, value, shape);
    chunk.push(line);
    chunkBytes += line.length;
    visit(key, value);
    if (chunkBytes >= chunkBytesMax) {
      await write(Buffer.concat(chunk));
      chunk = [];
      chunkBytes = 0;
    }
  }
  if (chunkBytes > 0) await write(Buffer.concat(chunk));
}
