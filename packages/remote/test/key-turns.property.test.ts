import { acquireKeys, createMemoryStore, type Release } from "@store/kv";
import { ManualClock } from "@store/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConnectionTurns, type TurnSettings } from "../src/key-turns.js";

const KEYS = ["a", "b", "c"] as const;
const CONNECTIONS = 3;
const TURN_MS_MAX = 10;

type Command =
  | { readonly t: "take"; readonly connection: number; readonly keys: readonly string[]; readonly shared: readonly string[] }
  | { readonly t: "end"; readonly connection: number; readonly pick: number }
  | { readonly t: "close"; readonly connection: number }
  | { readonly t: "advance"; readonly ms: number }
  | { readonly t: "local"; readonly keys: readonly string[]; readonly shared: readonly string[] }
  | { readonly t: "unlocal"; readonly pick: number };

const keysAndShared = fc
  .subarray([...KEYS], { minLength: 1 })
  .chain((keys) => fc.record({ keys: fc.constant(keys), shared: fc.subarray(keys) }));

const command: fc.Arbitrary<Command> = fc.oneof(
  keysAndShared.chain(({ keys, shared }) => fc.record({ t: fc.constant("take" as const), connection: fc.nat(CONNECTIONS - 1), keys: fc.constant(keys), shared: fc.constant(shared) })),
  fc.record({ t: fc.constant("end" as const), connection: fc.nat(CONNECTIONS - 1), pick: fc.nat(7) }),
  fc.record({ t: fc.constant("close" as const), connection: fc.nat(CONNECTIONS - 1) }),
  fc.record({ t: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 15 }) }),
  keysAndShared.map(({ keys, shared }) => ({ t: "local" as const, keys, shared })),
  fc.record({ t: fc.constant("unlocal" as const), pick: fc.nat(7) }),
);

interface Holder {
  readonly keys: readonly string[];
  readonly shared: ReadonlySet<string>;
  readonly expiresAtMs: number;
}

const settle = async (): Promise<void> => {
  for (let turn = 0; turn < 4; turn += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe("turns on keys across connections (key-turns.ts), against a model of who may hold a key", () => {
  it("any interleaving of turns, writes, releases, expiries, lost connections and the server's own update()s never grants a key that one holder may write to two holders at once, and leaves nothing queued", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
        const store = createMemoryStore();
        const clock = new ManualClock(0);
        const settings: TurnSettings = { store, clock, turnMsMax: TURN_MS_MAX, turnsMax: 3, socketPath: "/test.sock" };
        const connections = Array.from({ length: CONNECTIONS }, () => new ConnectionTurns(settings));
        /** Holders as the model sees them: remote turns by connection and id, the server's own by number. */
        const holders = new Map<string, Holder>();
        const turnIds: number[][] = Array.from({ length: CONNECTIONS }, () => []);
        const locals = new Map<number, Release>();
        let localCount = 0;
        const pending = new Set<Promise<unknown>>();
        const violations: string[] = [];

        const grant = (name: string, keys: readonly string[], shared: ReadonlySet<string>, expiresAtMs: number): void => {
          for (const key of keys) {
            for (const [other, holder] of holders) {
              // A turn whose time is up was taken back by its timer (the manual clock fires it at that time).
              if (!holder.keys.includes(key) || holder.expiresAtMs <= clock.now()) continue;
              // Two holders of one key at once only if both only read it.
              if (!shared.has(key) || !holder.shared.has(key)) violations.push(`${name} was granted ${key} while ${other} held it`);
            }
          }
          holders.set(name, { keys, shared, expiresAtMs });
        };
        const close = (connection: number): void => {
          connections[connection]!.close();
          for (const id of turnIds[connection]!) holders.delete(`c${connection}/${id}`);
          turnIds[connection] = [];
          connections[connection] = new ConnectionTurns(settings); // the client reconnects
        };
        const unlocal = (name: number): void => {
          locals.get(name)!();
          locals.delete(name);
          holders.delete(`local/${name}`);
        };
        const track = (promise: Promise<unknown>): void => {
          pending.add(promise);
          void promise.finally(() => pending.delete(promise));
        };

        for (const step of commands) {
          switch (step.t) {
            case "take": {
              const turns = connections[step.connection]!;
              track(
                turns.take(step.keys, step.shared).then(
                  (id) => {
                    if (id === undefined || turns !== connections[step.connection]) return;
                    grant(`c${step.connection}/${id}`, step.keys, new Set(step.shared), clock.now() + TURN_MS_MAX);
                    turnIds[step.connection]!.push(id);
                  },
                  (error: unknown) => {
                    const code = (error as { code?: unknown }).code;
                    if (code !== "STORE_TOO_LARGE") violations.push(`take failed: ${String(error)}`);
                  },
                ),
              );
              break;
            }
            case "end": {
              const ids = turnIds[step.connection]!;
              if (ids.length === 0) break;
              const [id] = ids.splice(step.pick % ids.length, 1);
              connections[step.connection]!.end(id!);
              holders.delete(`c${step.connection}/${id}`);
              break;
            }
            case "close":
              close(step.connection);
              break;
            case "advance":
              await clock.advance(step.ms);
              for (const [name, holder] of holders) if (holder.expiresAtMs <= clock.now()) holders.delete(name);
              break;
            case "local": {
              const name = (localCount += 1);
              track(
                acquireKeys(store, step.keys, new Set(step.shared)).then((release) => {
                  grant(`local/${name}`, step.keys, new Set(step.shared), Number.POSITIVE_INFINITY);
                  locals.set(name, release);
                }),
              );
              break;
            }
            case "unlocal": {
              const names = [...locals.keys()];
              if (names.length === 0) break;
              unlocal(names[step.pick % names.length]!);
              break;
            }
          }
          await settle();
        }
        expect(violations).toEqual([]);
        // Everyone leaves: every waiting turn is then granted (no deadlock) and nothing stays queued.
        do {
          for (let connection = 0; connection < CONNECTIONS; connection += 1) close(connection);
          for (const name of [...locals.keys()]) unlocal(name);
          await clock.advance(TURN_MS_MAX);
          for (const [name, holder] of holders) if (holder.expiresAtMs <= clock.now()) holders.delete(name);
          await settle();
        } while (pending.size > 0 || locals.size > 0);
        let free = false;
        void acquireKeys(store, [...KEYS], new Set()).then((release) => {
          free = true;
          release();
        });
        await settle();
        expect(free).toBe(true);
        expect(violations).toEqual([]);
        expect(clock.pendingTimers).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
