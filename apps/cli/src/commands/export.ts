import { once } from "node:events";
import { atomicReplace, nodeFileSystem } from "@store/fs";
import { exportEntries, exportLines, type ExportFormat } from "@store/log";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { err, outJson, type Io } from "../io.js";

/**
 * `store export DIR [--format jsonl|json] [--out FILE]`: every live key at one seq, streamed from the
 * files (read-only, no lock, memory that does not grow with the keys). To stdout, or to FILE through
 * `atomicReplace` (it appears whole or not at all). The summary goes to stderr (stdout with --json
 * when writing to a file), never mixed into the export.
 */
export async function exportCommand(io: Io, dir: string, options: { format: ExportFormat; out?: string; prefix: string; json: boolean }): Promise<ExitCode> {
  const exported = await exportEntries(dir, { prefix: options.prefix });
  let entries = 0;
  try {
    const encoder = new TextEncoder();
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const line of exportLines(exported, options.format)) {
        entries += 1;
        yield encoder.encode(line);
      }
    }
    if (options.out === undefined) {
      for await (const chunk of counted()) {
        // Backpressure: a slow reader (a pipe to gzip, ssh) holds the export, not the memory.
        if (!io.stdout.write(chunk)) await once(io.stdout, "drain");
      }
    } else {
      await atomicReplace(nodeFileSystem, options.out, batched(counted()));
    }
  } finally {
    await exported.close();
  }
  const keys = entries - 2;
  const summary = { dir, seq: exported.seq, keys, format: options.format, out: options.out ?? null };
  if (options.out !== undefined && options.json) outJson(io, summary);
  else if (options.out !== undefined || io.stderrIsTty) err(io, `exported ${keys} keys of ${dir} at seq ${exported.seq}${options.out === undefined ? "" : ` to ${options.out}`}`);
  return EXIT.ok;
}

/** Lines gathered into writes of about 1 MiB: a write per line would be slow. */
async function* batched(lines: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const targetBytes = 1024 * 1024;
  let parts: Uint8Array[] = [];
  let bytes = 0;
  for await (const line of lines) {
    parts.push(line);
    bytes += line.length;
    if (bytes >= targetBytes) {
      yield Buffer.concat(parts);
      parts = [];
      bytes = 0;
    }
  }
  if (parts.length > 0) yield Buffer.concat(parts);
}
