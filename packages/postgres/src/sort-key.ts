// Keys sort by UTF-16 code units (JavaScript's `<`), which is not the order of their UTF-8 bytes:
// an astral character (a surrogate pair, D800-DFFF) sorts before U+E000-U+FFFF by code units and
// after them by bytes. So `COLLATE "C"` on text would put "😀" after "\uE000", and no collation
// PostgreSQL ships sorts by UTF-16 units. The table's primary key is instead the key's UTF-16BE
// encoding as `bytea`: bytea compares bytes left to right, shorter first on a tie, and in UTF-16BE
// each code unit is two bytes, most significant first, so byte order is code-unit order.
// A key's code-unit prefix is a byte prefix of its sort key, so a prefix scan is a range.

/** The sort key of `key` (UTF-16BE), as hex: how it crosses to SQL (`decode($1, 'hex')`). */
export function sortKeyHex(key: string): string {
  return utf16be(key).toString("hex");
}

function utf16be(text: string): Buffer {
  return Buffer.from(text, "utf16le").swap16();
}

/**
 * The range of sort keys of the keys starting with `prefix`: `from` inclusive, `to` exclusive
 * (`undefined`: no upper bound), as hex. The empty prefix selects every key (`from` undefined).
 */
export function prefixRange(prefix: string): { from: string | undefined; to: string | undefined } {
  if (prefix === "") return { from: undefined, to: undefined };
  const start = utf16be(prefix);
  return { from: start.toString("hex"), to: successor(start)?.toString("hex") };
}

// The smallest byte string greater than every string that starts with `bytes`: drop trailing 0xFF
// bytes, then add one to the last byte. None exists if every byte is 0xFF.
function successor(bytes: Buffer): Buffer | undefined {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0xff) end -= 1;
  if (end === 0) return undefined;
  const next = Buffer.from(bytes.subarray(0, end));
  next[end - 1] = next[end - 1]! + 1;
  return next;
}
