/** What the scheduler needs to know about the thing it compacts, as returned by `stats()`. */
export interface CompactionStats {
  /** Bytes the target occupies on disk now (live and dead). */
  readonly totalBytes: number;
  /** Bytes a compaction would keep. */
  readonly liveBytes: number;
  /** When the last compaction finished (ms since the epoch), or `null` if never. */
  readonly lastCompactionAtMs: number | null;
}

export type CompactionTrigger = "size" | "garbage" | "age" | "manual";

export interface CompactionPolicy {
  /** Below this many total bytes the garbage trigger never fires. Default 1 MiB. */
  readonly minBytes?: number;
  /** The garbage trigger fires when dead/total bytes is at least this (0..1). Default 0.5. */
  readonly garbageRatioMin?: number;
  /**
   * A hard budget: compact when total bytes reach this, whatever the garbage ratio, as long as
   * something is dead. Default `Infinity` (off).
   */
  readonly maxBytes?: number;
  /**
   * Compact when this many ms have passed since the last compaction (or since the scheduler
   * started, if there was none) and something is dead. Default `Infinity` (off).
   */
  readonly maxAgeMs?: number;
  /** How often the policy is checked, in ms. Default 30 000. */
  readonly checkIntervalMs?: number;
  /** Wait after the first failure, in ms; doubles per consecutive failure. Default 1 000. */
  readonly backoffInitialMs?: number;
  /** The longest wait after failures, in ms. Default 300 000 (5 min). */
  readonly backoffMaxMs?: number;
}

export type ResolvedPolicy = Required<CompactionPolicy>;

export const DEFAULT_POLICY: ResolvedPolicy = {
  minBytes: 1024 * 1024,
  garbageRatioMin: 0.5,
  maxBytes: Number.POSITIVE_INFINITY,
  maxAgeMs: Number.POSITIVE_INFINITY,
  checkIntervalMs: 30_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 300_000,
};

/** Fills defaults and rejects nonsense with a TypeError quoting the bad value. */
export function resolvePolicy(policy: CompactionPolicy = {}): ResolvedPolicy {
  const resolved: { -readonly [K in keyof ResolvedPolicy]: number } = { ...DEFAULT_POLICY };
  for (const name of Object.keys(DEFAULT_POLICY) as (keyof ResolvedPolicy)[]) {
    const value = policy[name];
    if (value === undefined) continue;
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new TypeError(`policy.${name} must be a number >= 0, got ${quote(value)}`);
    }
    resolved[name] = value;
  }
  if (resolved.garbageRatioMin > 1) {
    throw new TypeError(`policy.garbageRatioMin must be between 0 and 1, got ${quote(resolved.garbageRatioMin)}`);
  }
  for (const name of ["checkIntervalMs", "backoffInitialMs", "backoffMaxMs"] as const) {
    if (!Number.isFinite(resolved[name]) || resolved[name] < 1) {
      throw new TypeError(`policy.${name} must be a finite number >= 1, got ${quote(resolved[name])}`);
    }
  }
  return resolved;
}

/**
 * Which trigger, if any, says to compact now. Pure: the same inputs always give the same answer.
 * `sinceMs` is when the age clock started: the later of the last compaction and the scheduler's start.
 * Size wins over garbage over age when several apply.
 */
export function decideTrigger(
  stats: CompactionStats,
  policy: ResolvedPolicy,
  nowMs: number,
  sinceMs: number,
): Exclude<CompactionTrigger, "manual"> | null {
  const deadBytes = stats.totalBytes - stats.liveBytes;
  if (deadBytes <= 0) return null;
  if (stats.totalBytes >= policy.maxBytes) return "size";
  if (stats.totalBytes >= policy.minBytes && deadBytes / stats.totalBytes >= policy.garbageRatioMin) return "garbage";
  if (nowMs - sinceMs >= policy.maxAgeMs) return "age";
  return null;
}

/** The wait after `failures` consecutive failures (>= 1): initial, doubled each time, capped. */
export function backoffDelayMs(failures: number, policy: ResolvedPolicy): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 52);
  return Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** exponent);
}

export function quote(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" || (typeof value === "object" && value !== null) ? JSON.stringify(value) : String(value);
  } catch {
    text = typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
