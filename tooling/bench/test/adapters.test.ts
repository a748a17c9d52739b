import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adapterSpecs } from "../src/adapters/index.js";
import { player, playerKey } from "../src/record.js";
import { checkAvailability } from "../src/runner.js";

const statuses = await checkAvailability(adapterSpecs);
const available = adapterSpecs.filter((spec) => statuses.some((status) => status.spec === spec && status.unavailable === null));

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bench-adapter-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(available.map((spec) => [spec.name, spec] as const))("adapter %s", (_name, spec) => {
  it("reads back the last of many concurrent sets to the same and to different keys", async () => {
    const adapter = await spec.create();
    await adapter.open(dir);
    await Promise.all(Array.from({ length: 40 }, (_, n) => adapter.set(playerKey(n % 8), player(n % 8, n))));
    for (let index = 0; index < 8; index++) {
      const value = await adapter.get(playerKey(index));
      expect(value).toMatchObject(player(index, 32 + index));
    }
    await adapter.close();
  });

  it.skipIf(spec.role === "limit")("keeps what it stored across close and reopen", async () => {
    const first = await spec.create();
    await first.open(dir);
    await first.prefill?.([[playerKey(1), player(1, 0)]]);
    await first.set(playerKey(2), player(2, 5));
    await first.close();
    const second = await spec.create();
    await second.open(dir);
    expect(await second.get(playerKey(2))).toMatchObject(player(2, 5));
    if (first.prefill) expect(await second.get(playerKey(1))).toMatchObject(player(1, 0));
    await second.close();
  });
});

it("every optional system that is installed here loads", () => {
  // @store/log may not be built yet while its package is written; every npm peer is installed.
  const missing = statuses.filter((status) => status.unavailable !== null && status.spec.role === "peer");
  expect(missing.map((status) => `${status.spec.name}: ${status.unavailable ?? ""}`)).toEqual([]);
});
