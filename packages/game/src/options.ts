import { quote } from "@store/fs";
import { SCAN_LIMIT_MAX } from "@store/kv";

export interface Scoring {
  readonly win: number;
  readonly draw: number;
  readonly loss: number;
}

export interface GameOptions {
  /** The clock, in ms since the epoch. Default `Date.now`. Tests inject their own. */
  readonly now?: () => number;
  /** Attempts of one operation (read, compute, conditional write) before `STORE_CONFLICT` surfaces. Default 16. */
  readonly attemptsMax?: number;
  /** Movements kept in each player's token history (the newest). Default 20. */
  readonly historyMax?: number;
  /** Tokens one `claimDaily` grants. Default 100. */
  readonly dailyAmount?: number;
  /** Time between two daily claims of a player, in ms. Default 24 h (86,400,000). */
  readonly dailyCooldownMs?: number;
  /** How long an idempotency record is kept (a retry after that applies again), in ms. Default 24 h. */
  readonly idempotencyTtlMs?: number;
  /** Time between two sweeps of old idempotency records, in ms. Default 1 h (3,600,000). */
  readonly idempotencySweepIntervalMs?: number;
  /** Expiry of a game created without `expiresAtMs`, counted from its creation, in ms. Default 1 h. */
  readonly gameTtlMs?: number;
  /** Most players in one game (a settlement writes three records per player in one batch). Default 16. */
  readonly gamePlayersMax?: number;
  /** Time between two expiry sweeps, in ms; 0 runs no timer (call `sweep()` yourself). Default 10,000. */
  readonly sweepIntervalMs?: number;
  /** Entries per scan page when building the indexes, listing games and auditing. Default 5,000. */
  readonly scanPageSize?: number;
  /** Score added per outcome when a result is recorded without an explicit score. Default win 3, draw 1, loss 0. */
  readonly scoring?: Scoring;
  /** Most operations per batch of a legacy import too large for one batch. Default 2,000. */
  readonly importBatchOpsMax?: number;
  /**
   * Errors of background work: a failed sweep, a change subscription that ended (the indexes are
   * rebuilt). Default: `process.emitWarning`.
   */
  readonly onError?: (error: unknown) => void;
}

export type ResolvedOptions = Required<GameOptions>;

const HOUR_MS = 3_600_000;

/** Entries per scan page when building indexes, listing games and auditing. */
export const SCAN_PAGE_SIZE_DEFAULT = 5000;

const DEFAULTS: ResolvedOptions = {
  now: Date.now,
  attemptsMax: 16,
  historyMax: 20,
  dailyAmount: 100,
  dailyCooldownMs: 24 * HOUR_MS,
  idempotencyTtlMs: 24 * HOUR_MS,
  idempotencySweepIntervalMs: HOUR_MS,
  gameTtlMs: HOUR_MS,
  gamePlayersMax: 16,
  sweepIntervalMs: 10_000,
  scanPageSize: SCAN_PAGE_SIZE_DEFAULT,
  scoring: { win: 3, draw: 1, loss: 0 },
  importBatchOpsMax: 2000,
  onError: (error) => {
    process.emitWarning(error instanceof Error ? error : String(error), { code: "STORE_GAME_BACKGROUND" });
  },
};

/** [name, smallest, largest] of every integer option. */
const INTEGER_OPTIONS: ReadonlyArray<readonly [keyof ResolvedOptions, number, number]> = [
  ["attemptsMax", 1, 1000],
  ["historyMax", 0, 1000],
  ["dailyAmount", 1, Number.MAX_SAFE_INTEGER],
  ["dailyCooldownMs", 0, Number.MAX_SAFE_INTEGER],
  ["idempotencyTtlMs", 1, Number.MAX_SAFE_INTEGER],
  ["idempotencySweepIntervalMs", 0, Number.MAX_SAFE_INTEGER],
  ["gameTtlMs", 1, Number.MAX_SAFE_INTEGER],
  ["gamePlayersMax", 1, 1000],
  ["sweepIntervalMs", 0, 2_147_483_647],
  ["scanPageSize", 1, SCAN_LIMIT_MAX],
  ["importBatchOpsMax", 10, 10_000],
];

export function resolveOptions(options: GameOptions = {}): ResolvedOptions {
  if (typeof options !== "object" || (options as unknown) === null) throw new TypeError(`createGame() options must be an object, got ${show(options)}.`);
  for (const name of Object.keys(options)) {
    if (!(name in DEFAULTS)) throw new TypeError(`createGame() has no option ${quote(name)}; the known ones are ${Object.keys(DEFAULTS).join(", ")}.`);
  }
  const resolved = { ...DEFAULTS, ...stripUndefined(options) };
  for (const [name, low, high] of INTEGER_OPTIONS) {
    const value = resolved[name];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < low || value > high) {
      throw new TypeError(`createGame() option ${name} must be an integer from ${low} to ${high}, got ${show(value)}.`);
    }
  }
  for (const name of ["now", "onError"] as const) {
    if (typeof resolved[name] !== "function") throw new TypeError(`createGame() option ${name} must be a function, got ${show(resolved[name])}.`);
  }
  const { scoring } = resolved;
  for (const outcome of ["win", "draw", "loss"] as const) {
    if (typeof scoring !== "object" || !Number.isSafeInteger(scoring[outcome])) {
      throw new TypeError(`createGame() option scoring.${outcome} must be an integer, got ${show(scoring)}.`);
    }
  }
  return resolved;
}

function stripUndefined(options: GameOptions): Partial<ResolvedOptions> {
  const defined: Partial<ResolvedOptions> = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return defined;
}

export function show(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "function") return "a function";
  try {
    const json = JSON.stringify(value);
    // JSON.stringify gives undefined for undefined and symbols, whatever its declared type says.
    const shown = json as string | undefined;
    return shown === undefined ? String(value) : shown.length > 60 ? `${shown.slice(0, 56)}...` : shown;
  } catch {
    return String(value);
  }
}
