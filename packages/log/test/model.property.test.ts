import fc from "fast-check";
import { Rng, SimulatedDisk } from "@store/testkit";
import { describe, expect, it } from "vitest";
import type { JsonValue, Store } from "../src/index.js";
import { openOnDisk } from "./sim-helpers.js";

type Command =
  | { kind: "set"; key: string; value: JsonValue }
  | { kind: "delete"; key: string }
  | { kind: "transfer"; from: string; to: string; stale: boolean }
  | { kind: "compact" }
  | { kind: "reopen" }
  | { kind: "crash"; seed: number };

const keyArb = fc.constantFrom("a", "b", "c", "players/1", "players/2");
const valueArb: fc.Arbitrary<JsonValue> = fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.constant(null), fc.record({ n: fc.integer(), tag: fc.string({ maxLength: 5 }) }));
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("set" as const), key: keyArb, value: valueArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), key: keyArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("transfer" as const), from: keyArb, to: keyArb, stale: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("compact" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reopen" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("crash" as const), seed: fc.integer({ min: 0, max: 1_000_000 }) }) },
);

interface ModelEntry {
  value: JsonValue;
  version: number;
}

/** The whole contract in a few lines: a map with versions, a seq, conditional two-key batches. */
class Model {
  readonly entries = new Map<string, ModelEntry>();
  seq = 0;

  apply(command: Command): "ok" | "conflict" | "none" {
    switch (command.kind) {
      case "set":
        this.entries.set(command.key, { value: command.value, version: ++this.seq });
        return "ok";
      case "delete":
        this.seq += 1;
        this.entries.delete(command.key);
        return "ok";
      case "transfer": {
        if (command.from === command.to) return "none";
        if (command.stale) return "conflict";
        const seq = ++this.seq;
        this.entries.set(command.from, { value: "sent", version: seq });
        this.entries.set(command.to, { value: "received", version: seq });
        return "ok";
      }
      default:
        return "none";
    }
  }
}

async function run(store: Store, model: Model, command: Command): Promise<void> {
  const expected = model.apply(command);
  if (command.kind === "set") await store.set(command.key, command.value);
  if (command.kind === "delete") await store.delete(command.key);
  if (command.kind === "compact") await store.compact();
  if (command.kind === "transfer" && expected !== "none") {
    const ifVersion = (key: string): number | null => {
      const version = store.version(key) ?? null;
      return command.stale ? (version ?? 0) + 1_000_000 : version;
    };
    const attempt = store.batch([
      { type: "set", key: command.from, value: "sent", ifVersion: ifVersion(command.from) },
      { type: "set", key: command.to, value: "received", ifVersion: ifVersion(command.to) },
    ]);
    if (expected === "conflict") await expect(attempt).rejects.toMatchObject({ code: "STORE_CONFLICT" });
    else await attempt;
  }
}

describe("any sequence of operations, crashes and reopens matches the model", () => {
  it("state, versions and seq equal the model's after every step", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 40 }), async (commands) => {
        let disk = new SimulatedDisk();
        let boot = 1;
        let store = await openOnDisk(disk, boot, { segmentBytesMax: 600 });
        const model = new Model();
        try {
          for (const command of commands) {
            if (command.kind === "reopen" || command.kind === "crash") {
              if (command.kind === "reopen") await store.close();
              else disk = disk.crash(new Rng(command.seed));
              boot += 1;
              store = await openOnDisk(disk, boot, { segmentBytesMax: 600 });
            } else {
              await run(store, model, command);
            }
            expect(store.seq).toBe(model.seq);
            expect(new Map([...store.scan()].map(([key, value]) => [key, { value, version: store.version(key)! }]))).toEqual(model.entries);
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
