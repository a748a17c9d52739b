import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prefixRange, sortKeyHex } from "../src/sort-key.js";

// The table sorts by the UTF-16BE bytes of the key; these check that this is JavaScript's order
// (code units) and that a prefix is a byte range, on strings rich in the characters where UTF-8
// byte order differs: astral characters (surrogate pairs) and U+E000-U+FFFF.

const unit = fc.oneof(
  fc.constantFrom("a", "b", "/", "é", "\uE000", "\uFFFD", "\uFFFF", "😀", "𝄞", "\u{10FFFF}", "\u{10000}", "中", "~"),
  fc.string({ unit: "grapheme", maxLength: 2 }),
);
const key = fc
  .array(unit, { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(""))
  .filter((text) => text !== "");

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

describe("sort keys", () => {
  it("byte order of the sort keys is JavaScript's string order", () => {
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(Math.sign(Buffer.compare(Buffer.from(sortKeyHex(a), "hex"), Buffer.from(sortKeyHex(b), "hex")))).toBe(compare(a, b));
      }),
      { numRuns: 2_000 },
    );
  });

  it("an astral character sorts before U+E000, unlike its UTF-8 bytes (what COLLATE \"C\" would use)", () => {
    expect(compare("😀", "\uE000")).toBe(-1);
    expect(Buffer.compare(Buffer.from("😀"), Buffer.from("\uE000"))).toBe(1);
    expect(sortKeyHex("😀") < sortKeyHex("\uE000")).toBe(true);
  });

  it("a key starts with a prefix exactly when its sort key is in the prefix's range", () => {
    fc.assert(
      fc.property(key, key, (prefix, candidate) => {
        const { from, to } = prefixRange(prefix);
        const sk = Buffer.from(sortKeyHex(candidate), "hex");
        const inRange = Buffer.compare(sk, Buffer.from(from!, "hex")) >= 0 && (to === undefined || Buffer.compare(sk, Buffer.from(to, "hex")) < 0);
        expect(inRange).toBe(candidate.startsWith(prefix));
        expect(prefixRange(prefix + candidate).from! >= from!).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("the prefix of U+FFFF characters has no upper bound; the empty prefix has none at all", () => {
    expect(prefixRange("\uFFFF\uFFFF")).toEqual({ from: "ffffffff", to: undefined });
    expect(prefixRange("a\uFFFF")).toEqual({ from: "0061ffff", to: "0062" });
    expect(prefixRange("")).toEqual({ from: undefined, to: undefined });
  });
});
