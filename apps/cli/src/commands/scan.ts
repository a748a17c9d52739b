import { openStore } from "@store/log";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { outJson, type Io } from "../io.js";
import { printTable } from "../output.js";

/** Keys fetched and printed at a time: output starts at once and no more than a page is held. */
const PAGE_KEYS = 1000;

/** `store scan DIR [PREFIX] [--limit N]`: keys and values in key order, page by page (read-only, no lock). */
export async function scan(io: Io, dir: string, prefix: string, options: { json?: boolean; limit?: number }): Promise<ExitCode> {
  const store = await openStore(dir, { readOnly: true });
  try {
    let left = options.limit ?? Number.POSITIVE_INFINITY;
    let after: string | undefined;
    while (left > 0) {
      const page = store.range({ prefix, limit: Math.min(PAGE_KEYS, left), ...(after === undefined ? {} : { after }) });
      if (page.length === 0) break;
      if (options.json === true) for (const entry of page) outJson(io, entry);
      else await printTable(io, ["key", "version", "value"], page.map((entry) => [entry.key, String(entry.version), JSON.stringify(entry.value)]));
      left -= page.length;
      after = page.at(-1)!.key;
      await drained(io);
    }
  } finally {
    await store.close();
  }
  return EXIT.ok;
}

/** Waits for stdout to take what was written (a slow pipe), so pages do not pile up in memory. */
async function drained(io: Io): Promise<void> {
  if (!io.stdout.writableNeedDrain) return;
  await new Promise<void>((resolve) => io.stdout.once("drain", resolve));
}
