import fc from "fast-check";
import { SimulatedDisk } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { createMirror, readJsonFile, readManifest, type ChangeOp, type JsonValue } from "../src/index.js";
import { MemorySource } from "./support/memory-source.js";

const views = { "a.json": "a/", "ab.json": "a/b/", "all.json": "" };
const keyArb = fc.oneof(
  fc.constantFrom("a/x", "a/b/y", "a/b/", "a/__proto__", "a/constructor", "b/z", "a/1", "a/01", "a/é🎲"),
  fc.string({ minLength: 1, maxLength: 6 }).map((suffix) => `a/${suffix}`),
);
const opArb: fc.Arbitrary<ChangeOp> = fc.oneof(
  fc.record({ type: fc.constant("set" as const), key: keyArb, value: fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.parse(JSON.stringify(value)) as JsonValue) }),
  fc.record({ type: fc.constant("delete" as const), key: keyArb }),
);

describe("views equal the source exactly after flush", () => {
  it("for any sequence of writes, with flushes in between", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.array(opArb, { minLength: 1, maxLength: 4 }), fc.boolean()), { maxLength: 25 }), async (writes) => {
        const disk = new SimulatedDisk();
        const source = new MemorySource();
        const mirror = createMirror(source, { dir: "/m", views, intervalMs: 60_000, fs: disk.fs });
        for (const [ops, flush] of writes) {
          source.apply(ops);
          if (flush) await mirror.flush();
        }
        await mirror.flush();
        for (const [file, prefix] of Object.entries(views)) {
          expect(await readJsonFile(`/m/${file}`, { fs: disk.fs })).toEqual(source.view(prefix));
        }
        const manifest = await readManifest("/m", { fs: disk.fs });
        expect(Object.keys(manifest?.views ?? {}).sort()).toEqual(Object.keys(views).sort());
        await mirror.close();
      }),
      { numRuns: 150 },
    );
  });
});
