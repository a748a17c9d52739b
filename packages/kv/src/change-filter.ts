import type { ChangeEvent } from "./types.js";

/**
 * The prefixes a subscription filters by, reduced to what decides a match: `undefined` when one of
 * them is `""` (every key), and no prefix that another one starts (`"a/"` covers `"a/b/"`), so
 * that an op is tested against as few as possible and is kept once however many match it.
 */
export function reducePrefixes(prefixes: readonly string[] | undefined): readonly string[] | undefined {
  if (prefixes === undefined || prefixes.includes("")) return undefined;
  const sorted = [...new Set(prefixes)].sort();
  const kept: string[] = [];
  // In sorted order a prefix directly follows the kept prefix that covers it (if any).
  for (const prefix of sorted) {
    const last = kept[kept.length - 1];
    if (last === undefined || !prefix.startsWith(last)) kept.push(prefix);
  }
  return kept;
}

/**
 * `event` as a subscriber with `prefixes` gets it: the same object when every op matches (so that
 * what a server caches per event stays shared), `undefined` when none does (the event is skipped),
 * else a frozen event with the matching ops (the same op objects) and the same seq.
 * `prefixes` as `reducePrefixes` gives them: `undefined` keeps everything.
 */
export function filterChangeEvent(event: ChangeEvent, prefixes: readonly string[] | undefined): ChangeEvent | undefined {
  if (prefixes === undefined) return event;
  const { ops } = event;
  let kept: ChangeEvent["ops"][number][] | undefined;
  for (let index = 0; index < ops.length; index += 1) {
    const op = ops[index]!;
    if (keyMatches(op.key, prefixes)) {
      kept?.push(op);
    } else {
      kept ??= ops.slice(0, index);
    }
  }
  if (kept === undefined) return event;
  if (kept.length === 0) return undefined;
  return Object.freeze({ seq: event.seq, ops: Object.freeze(kept) });
}

/** Whether `key` starts with one of `prefixes` (`undefined`: every key matches). */
export function keyMatches(key: string, prefixes: readonly string[] | undefined): boolean {
  if (prefixes === undefined) return true;
  for (const prefix of prefixes) {
    if (key.startsWith(prefix)) return true;
  }
  return false;
}
