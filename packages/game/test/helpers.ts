import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore, type KeyValueStore } from "@store/kv";
import { afterEach, expect } from "vitest";
import { createGame, type Game, type GameOptions } from "../src/index.js";

/** A clock the test moves by hand: no test depends on real time. */
export class Clock {
  ms = Date.UTC(2026, 10, 1);
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Setup {
  readonly kv: KeyValueStore;
  readonly clock: Clock;
  readonly game: Game;
}

const opened: Array<{ close(): Promise<void> }> = [];
const made: string[] = [];

/** A game on a fresh in-memory store, with a manual clock and no sweeper timer. */
export async function memoryGame(options: GameOptions = {}, kv: KeyValueStore = createMemoryStore()): Promise<Setup> {
  const clock = new Clock();
  const game = await createGame(kv, { now: clock.now, sweepIntervalMs: 0, ...options });
  opened.push(game);
  return { kv, clock, game };
}

export function track<T extends { close(): Promise<void> }>(closable: T): T {
  opened.push(closable);
  return closable;
}

/** A fresh real folder, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "store-game-test-"));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  for (const closable of opened.splice(0).reverse()) await closable.close().catch(() => undefined);
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The error `promise` rejects with, which must carry `code`. */
export async function rejection(promise: Promise<unknown>, code: string): Promise<Record<string, unknown>> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, `expected a rejection with ${code}`).toBeInstanceOf(Error);
  expect((error as { code?: unknown }).code).toBe(code);
  return error as Record<string, unknown>;
}

export async function expectAudited(game: Game): Promise<void> {
  const report = await game.audit();
  expect(report, JSON.stringify(report)).toMatchObject({ ok: true, difference: 0, negativeBalances: [], invalidRecords: [] });
}
