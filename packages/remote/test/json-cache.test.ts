import { lazySetOp, parseFrozenJson, withLazyValue } from "@store/fs";
import { describe, expect, it } from "vitest";
import { JsonCache } from "../src/json-cache.js";

// Texts spelled with spaces: JSON.stringify of the parsed value would drop them, so seeing them on
// the wire proves the store's text was sent as it is, not serialized again.
describe("the server's JSON cache", () => {
  it("sends an event op's value text as the store kept it, without reading the value", () => {
    const op = lazySetOp("players/a", '{"score": 3}');
    Object.defineProperty(op, "value", {
      get: () => {
        throw new Error("the value was parsed");
      },
    });
    const cache = new JsonCache();
    expect(cache.eventOps({ seq: 1, ops: [op, { type: "delete", key: "b" }] }, 2).toString("utf8")).toBe('[["s","players/a","{\\"score\\": 3}"],["d","b"]]');
    expect(cache.eventOps({ seq: 1, ops: [op] }, 1).toString("utf8")).toBe('[{"type":"set","key":"players/a","value":{"score": 3}}]');
  });

  it("answers a read with the entry's text, without reading its value", () => {
    const cache = new JsonCache();
    const entry = withLazyValue({ key: "players/a", version: 7 }, '{"score": 3}', () => {
      throw new Error("the value was parsed");
    });
    expect(cache.entry(entry)).toBe('["players/a",7,{"score": 3}]');
  });

  it("answers a read with the text a value was parsed from", () => {
    const cache = new JsonCache();
    const value = parseFrozenJson('{"score": 3}');
    expect(cache.entry({ key: "players/a", value, version: 7 })).toBe('["players/a",7,{"score": 3}]');
  });

  it("serializes a value without a text once it is frozen, and every time while it is not", () => {
    const cache = new JsonCache();
    const frozen = Object.freeze({ score: 3 });
    expect(cache.value(frozen)).toBe('{"score":3}');
    const open = { score: 3 };
    expect(cache.value(open)).toBe('{"score":3}');
    open.score = 4;
    expect(cache.value(open)).toBe('{"score":4}');
  });
});
