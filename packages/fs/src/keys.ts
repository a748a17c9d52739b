import { StoreError } from "./errors.js";
import { quote } from "./json-value.js";

export interface KeyLimits {
  /** Longest key accepted, in UTF-8 bytes. */
  readonly keyBytesMax: number;
}

/** The key length limit `@store/log` applies unless told otherwise, in UTF-8 bytes. */
export const KEY_BYTES_MAX_DEFAULT = 1024;

// C0 and C1 control characters, and lone surrogates (they cannot be encoded as UTF-8 and would be
// silently replaced, so two different keys could become one).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;

/** Throws a TypeError for a key of the wrong type, STORE_INVALID_KEY for a string that is not a valid key. */
export function assertKey(key: unknown, limits: KeyLimits): asserts key is string {
  if (typeof key !== "string") {
    throw new TypeError(`A key must be a string, got ${typeof key}${typeof key === "number" ? ` (${key})` : ""}.`);
  }
  const problem = keyProblem(key, limits);
  if (problem !== undefined) {
    throw new StoreError("STORE_INVALID_KEY", `Invalid key ${quote(key)}: ${problem}.`, { key });
  }
}

/** Why `key` is not a valid store key (empty, too long, control characters, lone surrogates), or undefined. */
export function keyProblem(key: string, limits: KeyLimits = { keyBytesMax: KEY_BYTES_MAX_DEFAULT }): string | undefined {
  if (key.length === 0) return "the key is empty";
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes > limits.keyBytesMax) return `the key is ${bytes} UTF-8 bytes long, over keyBytesMax (${limits.keyBytesMax})`;
  const match = FORBIDDEN.exec(key);
  if (match !== null) {
    const code = match[0].charCodeAt(0).toString(16).padStart(4, "0");
    return `the key contains U+${code} at index ${match.index} (control characters and lone surrogates are not allowed)`;
  }
  return undefined;
}
