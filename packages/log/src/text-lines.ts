import type { FileSystem } from "@store/fs";

const CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** A line of a text file: its text (without the newline, or a CRLF's CR), 1-based number and byte offset. */
export interface TextLine {
  readonly text: string;
  readonly line: number;
  readonly offset: number;
}

/** The lines of a UTF-8 text file, read in chunks: memory stays at a chunk plus the longest line. */
export async function* readTextLines(fs: FileSystem, path: string): AsyncGenerator<TextLine> {
  const handle = await fs.open(path, "r");
  try {
    let carry = Buffer.alloc(0);
    let carryOffset = 0;
    let line = 0;
    for (let position = 0; ; ) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const count = await handle.read(chunk, 0, chunk.length, position);
      position += count;
      const bytes = count === 0 ? carry : carry.length === 0 ? chunk.subarray(0, count) : Buffer.concat([carry, chunk.subarray(0, count)]);
      let start = 0;
      for (let newline = bytes.indexOf(NEWLINE); newline !== -1; newline = bytes.indexOf(NEWLINE, start)) {
        line += 1;
        yield { text: textOf(bytes, start, newline), line, offset: carryOffset + start };
        start = newline + 1;
      }
      if (count === 0) {
        if (start < bytes.length) yield { text: textOf(bytes, start, bytes.length), line: line + 1, offset: carryOffset + start };
        return;
      }
      carry = Buffer.from(bytes.subarray(start));
      carryOffset += start;
    }
  } finally {
    await handle.close();
  }
}

function textOf(bytes: Buffer, start: number, end: number): string {
  return bytes.toString("utf8", start, end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end);
}
