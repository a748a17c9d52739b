import { CorruptionError, nodeFileSystem, type FileSystem } from "@store/fs";
import { basePath, listDataFiles, segmentPath } from "./files.js";
import type { LogRecord } from "./format.js";
import { readRecordChunks } from "./reader.js";

export interface LogEntry {
  readonly path: string;
  readonly offset: number;
  readonly record: LogRecord;
}

/**
 * Every record of a data folder in replay order (the newest base, then the segments after it), for
 * tools: inspect, verify, export, follow. Reads only; takes no lock. A torn tail at the end of the
 * last segment ends the iteration quietly; any other damage throws STORE_CORRUPTED with file and offset.
 */
export async function* readLog(dir: string, options: { fs?: FileSystem } = {}): AsyncGenerator<LogEntry> {
  const fs = options.fs ?? nodeFileSystem;
  const files = await listDataFiles(fs, dir);
  const baseNumber = files.bases.at(-1);
  const paths = [
    ...(baseNumber === undefined ? [] : [basePath(dir, baseNumber)]),
    ...files.segments.filter((fileNumber) => fileNumber >= (baseNumber ?? 0)).map((fileNumber) => segmentPath(dir, fileNumber)),
  ];
  for (const [index, path] of paths.entries()) {
    const chunks = readRecordChunks(fs, path);
    for (;;) {
      const next = await chunks.next();
      if (next.done === true) {
        const damage = next.value.damage[0];
        const tornTail = index === paths.length - 1 && !next.value.followedByRecords && path.endsWith(".log");
        if (damage !== undefined && !tornTail) {
          throw new CorruptionError(`${path} is damaged at byte ${damage.offset}: ${damage.reason}.`, { path, offset: damage.offset });
        }
        break;
      }
      for (const { record, offset } of next.value) yield { path, offset, record };
    }
  }
}
