import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";

const made: string[] = [];

/** A fresh real folder, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "store-log-test-"));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A ~200-byte player record, like the ones the game layer stores. */
export function player(id: number): { id: number; name: string; tokens: number; stats: { wins: number; losses: number; streak: number }; joinedAt: string } {
  return { id, name: `player-${id}`, tokens: id * 7, stats: { wins: id % 13, losses: id % 5, streak: id % 3 }, joinedAt: "2026-11-25T00:00:00.000Z" };
}
