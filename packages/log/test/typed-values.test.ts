import { describe, expect, expectTypeOf, it } from "vitest";
import type { KeyValueStore } from "@store/kv";
import { openStore, toKeyValueStore, type ChangeEvent, type JsonValue, type RangeEntry, type Store } from "../src/index.js";
import { tempDir } from "./helpers.js";

// Type-level tests: `pnpm typecheck` compiles this file, so each expectTypeOf and each expected
// type error below is a test that fails to compile if the typing regresses. The runtime part
// shows that the types are a declaration only: values are still checked as plain JSON.

interface Player {
  name: string;
  tokens: number;
  tags: string[];
  nick?: string;
  stats: { wins: number; byType: Record<string, number> };
}

interface Account {
  balance: number;
}

const ada: Player = { name: "Ada", tokens: 10, tags: ["founder"], stats: { wins: 1, byType: { duel: 1 } } };
const account: Account = { balance: 5 };

describe("typed values", () => {
  it("a store of mixed values takes ordinary interfaces in set and batch, without a cast", async () => {
    const store = await openStore(await tempDir());
    expectTypeOf(store).toEqualTypeOf<Store>();
    expectTypeOf<Store>().toEqualTypeOf<Store<JsonValue>>(); // eslint-disable-line @typescript-eslint/no-unnecessary-type-arguments -- the default is what is tested
    await store.set("players/ada", ada);
    await store.batch([
      { type: "set", key: "players/bo", value: { ...ada, name: "Bo" } },
      { type: "set", key: "accounts/bo", value: account, ifVersion: null },
    ]);
    expectTypeOf(store.get("players/ada")).toEqualTypeOf<JsonValue | undefined>();
    expect(store.get("players/ada")).toEqual(ada);
    expect(store.get("accounts/bo")).toEqual(account);
    await store.close();
  });

  it("openStore<Player> gives a Store<Player>: reads, pages, entries and events are Players", async () => {
    const players = await openStore<Player>(await tempDir());
    expectTypeOf(players).toEqualTypeOf<Store<Player>>();
    const events: ChangeEvent<Player>[] = [];
    players.subscribe((event) => {
      expectTypeOf(event).toEqualTypeOf<ChangeEvent<Player>>();
      events.push(event);
    });
    const { seq } = await players.set("players/ada", ada, { ifVersion: null });
    await players.batch([{ type: "set", key: "players/bo", value: { ...ada, name: "Bo", nick: "b" } }, { type: "delete", key: "players/cy" }]);
    expectTypeOf(players.get("players/ada")).toEqualTypeOf<Player | undefined>();
    expectTypeOf(players.getEntry("players/ada")).toEqualTypeOf<{ readonly value: Player; readonly version: number } | undefined>();
    expectTypeOf(players.range()).toEqualTypeOf<RangeEntry<Player>[]>();
    expectTypeOf(players.scan()).toEqualTypeOf<IterableIterator<[string, Player]>>();
    expect(players.getEntry("players/ada")).toEqual({ value: ada, version: seq });
    expect(players.range({ prefix: "players/" }).map((entry) => entry.value.name)).toEqual(["Ada", "Bo"]);
    expect(events.map((event) => event.ops.map((op) => (op.type === "set" ? op.value.name : op.key)))).toEqual([["Ada"], ["Bo", "players/cy"]]);
    await players.close();
  });

  it("a typed store refuses other types, and no type that cannot be JSON is accepted", () => {
    // Never called: only compiled.
    const wrongWrites = async (players: Store<Player>, mixed: Store): Promise<void> => {
      // @ts-expect-error an Account is not a Player
      await players.set("k", account);
      // @ts-expect-error a batch of a Store<Player> writes Players
      await players.batch([{ type: "set", key: "k", value: account }]);
      // @ts-expect-error a Date does not survive JSON
      await mixed.set("k", { at: new Date() });
      // @ts-expect-error nor does a Map
      await mixed.set("k", { seen: new Map<string, number>() });
      // @ts-expect-error nor a function
      await mixed.set("k", { run: () => 1 });
      // @ts-expect-error nor a bigint
      await mixed.batch([{ type: "set", key: "k", value: { n: 1n } }]);
      const maybe: { n: number | undefined } = { n: undefined };
      // @ts-expect-error nor a property that may hold undefined (JSON would drop it)
      await mixed.set("k", maybe);
    };
    const wrongStores = async (dir: string): Promise<void> => {
      // @ts-expect-error a value type with a Date in it
      await openStore<{ at: Date }>(dir);
      // @ts-expect-error a value type with a function in it
      await openStore<{ run(): void }>(dir);
    };
    expectTypeOf(wrongWrites).toBeFunction();
    expectTypeOf(wrongStores).toBeFunction();
  });

  it("the type is a declaration, not a check: a value cast past it is still refused as not plain JSON", async () => {
    const players = await openStore<Player>(await tempDir());
    const smuggled = { ...ada, stats: new Date() } as unknown as Player;
    await expect(players.set("players/ada", smuggled)).rejects.toMatchObject({ code: "STORE_INVALID_VALUE", key: "players/ada" });
    await expect(players.batch([{ type: "set", key: "players/ada", value: smuggled }])).rejects.toMatchObject({ code: "STORE_INVALID_VALUE" });
    expect(players.seq).toBe(0);
    await players.close();
  });

  it("a typed store goes through the @store/kv contract", async () => {
    const players = await openStore<Player>(await tempDir());
    const kv = toKeyValueStore(players);
    expectTypeOf(kv).toExtend<KeyValueStore>();
    await kv.batch([{ type: "set", key: "players/ada", value: { name: "Ada", tokens: 1, tags: [], stats: { wins: 0, byType: {} } } }]);
    expect(players.get("players/ada")?.name).toBe("Ada");
    await kv.close();
  });
});
