import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { FileSystem } from "@store/fs";
import type { JsonValue } from "@store/log";
import { readJsonFile } from "@store/snapshot";
import { stateAt, type History, type State } from "../model.js";
import { check } from "../scenario.js";
import { MIRROR_DIR } from "../sim.js";

/** Mirror view file -> key prefix. */
export const MIRROR_VIEWS: Readonly<Record<string, string>> = { "keys.json": "k/", "accounts.json": "acct/" };

/**
 * Every view file left after a crash is whole JSON equal to the store's state at one seq, no older
 * than the last acknowledged flush and no newer than what the log recovered: old or new, never a
 * mix, never a torn file, never a flushed view that vanished.
 */
export async function checkMirror(fs: FileSystem, history: History, recoveredSeq: number, mirrorAckSeq: number | undefined): Promise<void> {
  for (const [file, prefix] of Object.entries(MIRROR_VIEWS)) {
    const path = join(MIRROR_DIR, file);
    const view = await readJsonFile(path, { fs });
    if (view === undefined) {
      check(mirrorAckSeq === undefined, `the mirror view ${path} was flushed (at seq ${String(mirrorAckSeq)}) but is gone after the crash`);
      continue;
    }
    const found = sortedEntries(view, path);
    let matched = false;
    for (let seq = mirrorAckSeq ?? history.initialSeq; seq <= recoveredSeq && !matched; seq += 1) {
      matched = isDeepStrictEqual(found, project(stateAt(history.initial, history.issued, seq), prefix));
    }
    check(matched, `the mirror view ${path} matches no state between seq ${String(mirrorAckSeq ?? history.initialSeq)} and ${recoveredSeq}`);
  }
}

function sortedEntries(view: JsonValue, path: string): Array<[string, JsonValue]> {
  check(typeof view === "object" && view !== null && !Array.isArray(view), `the mirror view ${path} is not a JSON object`);
  return Object.entries(view).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function project(state: State, prefix: string): Array<[string, JsonValue]> {
  const entries: Array<[string, JsonValue]> = [];
  for (const [key, value] of state) if (key.startsWith(prefix)) entries.push([key.slice(prefix.length), value]);
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
