import { StoreError } from "@store/fs";

// `bigint` columns arrive as strings from `pg` and as bigint or number from PGlite. Seqs and
// versions are JavaScript numbers in the contract, so every one is checked to be a safe integer
// (the counter's CHECK keeps seq at most 2^53 - 1; this is the assertion on the reading side).

/** A `bigint` column's value as a safe integer; anything else is a bug or a foreign table. */
export function safeInteger(value: unknown, column: string): number {
  const number = typeof value === "string" || typeof value === "bigint" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isSafeInteger(number)) {
    throw new StoreError("STORE_CORRUPTED", `Column ${column} holds ${String(value)}, not a safe integer: the table was changed outside @store/postgres.`);
  }
  return number;
}
