import type { Entry, KeyValueStore, ScanOptions } from "./types.js";
import { SCAN_LIMIT_MAX } from "./limits.js";
import { show } from "./validate.js";

export interface ScanAllOptions extends Omit<ScanOptions, "limit"> {
  /** Entries fetched per `scan` call, 1 to `SCAN_LIMIT_MAX`. Default 1,000. */
  readonly pageSize?: number;
}

export const SCAN_ALL_PAGE_SIZE_DEFAULT = 1000;

/**
 * Every entry under `prefix` in key order (reversed with `reverse`), fetched a page at a time with
 * `after`, so no call holds a whole prefix. Each page is read at one point, the whole walk is not:
 * a key that exists throughout is yielded exactly once; one written or deleted meanwhile may or may
 * not be. Breaking out of the loop stops the paging.
 */
export async function* scanAll(kv: KeyValueStore, options: ScanAllOptions = {}): AsyncGenerator<Entry, void, undefined> {
  if (typeof options !== "object" || (options as unknown) === null) throw new TypeError(`scanAll() takes an options object, got ${show(options)}.`);
  if ("limit" in options) {
    throw new TypeError("scanAll() has no limit: it pages through everything (set pageSize for the page, or break out of the loop).");
  }
  const { pageSize = SCAN_ALL_PAGE_SIZE_DEFAULT, ...scanOptions } = options;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > SCAN_LIMIT_MAX) {
    throw new TypeError(`scanAll() pageSize must be an integer from 1 to ${SCAN_LIMIT_MAX}, got ${show(pageSize)}.`);
  }
  let after = scanOptions.after;
  for (;;) {
    const page = await kv.scan({ ...scanOptions, limit: pageSize, ...(after === undefined ? {} : { after }) });
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.key;
  }
}
