import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng, SimulatedDisk } from "../src/index.js";

type Op = { kind: "write"; position: number; data: Uint8Array } | { kind: "truncate"; length: number } | { kind: "sync" };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("write" as const), position: fc.nat(64), data: fc.uint8Array({ minLength: 1, maxLength: 24 }) }),
  fc.record({ kind: fc.constant("truncate" as const), length: fc.nat(80) }),
  fc.record({ kind: fc.constant("sync" as const) }),
);

/** The reference: a plain array that a write extends with zeros, as POSIX says. */
function applyToModel(model: number[], op: Op): void {
  if (op.kind === "write") {
    while (model.length < op.position) model.push(0);
    op.data.forEach((byte, i) => (model[op.position + i] = byte));
  } else if (op.kind === "truncate") {
    model.length = Math.min(model.length, op.length);
    while (model.length < op.length) model.push(0);
  }
}

describe("simulated file content (property)", () => {
  it("reads match a reference model, and a fully synced file survives every crash unchanged", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { maxLength: 30 }), fc.integer(), async (ops, seed) => {
        const disk = new SimulatedDisk();
        const handle = await disk.fs.open("/f", "w");
        await disk.fs.fsyncDir("/");
        const model: number[] = [];
        for (const op of ops) {
          if (op.kind === "write") await handle.write(op.data, 0, op.data.length, op.position);
          else if (op.kind === "truncate") await handle.truncate(op.length);
          else await handle.sync();
          applyToModel(model, op);
          expect(Array.from(disk.files().get("/f")!)).toEqual(model);
        }
        await handle.datasync();
        expect(Array.from(disk.crash(new Rng(seed)).files().get("/f")!)).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it("after a crash the file is the last synced content with each later change kept, dropped or torn in order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { maxLength: 20 }), fc.integer(), async (ops, seed) => {
        const disk = new SimulatedDisk();
        const handle = await disk.fs.open("/f", "w");
        await disk.fs.fsyncDir("/");
        const durable: number[] = [];
        let pending: Op[] = [];
        for (const op of ops) {
          if (op.kind === "write") await handle.write(op.data, 0, op.data.length, op.position);
          else if (op.kind === "truncate") await handle.truncate(op.length);
          else await handle.sync();
          if (op.kind === "sync") {
            for (const done of pending) applyToModel(durable, done);
            pending = [];
          } else pending.push(op);
        }
        const revived = disk.crash(new Rng(seed));
        expect(revived.crashReport).toHaveLength(pending.length);
        const expected = [...durable];
        revived.crashReport.forEach((decision, i) => {
          const op = pending[i]!;
          if (decision.outcome === "kept") applyToModel(expected, op);
          if (decision.outcome !== "torn" || op.kind !== "write") return;
          applyToModel(expected, { ...op, data: op.data.subarray(0, decision.keptBytes) });
          if (decision.filler === "none") return;
          const rest = op.data.length - decision.keptBytes;
          // Garbage cannot be predicted: -1 marks a byte that may hold anything.
          const filler = new Array<number>(rest).fill(decision.filler === "zeros" ? 0 : -1);
          applyToModel(expected, { kind: "write", position: op.position + decision.keptBytes, data: new Uint8Array(rest) });
          filler.forEach((byte, j) => (expected[op.position + decision.keptBytes + j] = byte));
        });
        const actual = Array.from(revived.files().get("/f")!);
        expect(actual.length).toBe(expected.length);
        expected.forEach((byte, i) => {
          if (byte !== -1) expect(actual[i], `byte ${i}`).toBe(byte);
        });
      }),
      { numRuns: 300 },
    );
  });
});
