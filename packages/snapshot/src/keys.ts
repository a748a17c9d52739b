const encoder = new TextEncoder();

/** The longest key, in UTF-8 bytes; the same limit `@store/log` enforces. */
export const KEY_BYTES_MAX = 1024;

/** Why `key` cannot be a store key (empty, too long, control characters, lone surrogates), or `undefined`. */
export function keyProblem(key: string): string | undefined {
  if (key === "") return "the key is empty";
  if (hasControlCharacter(key)) return "the key contains a control character";
  if (/\p{Cs}/u.test(key)) return "the key contains a lone UTF-16 surrogate, which UTF-8 cannot hold";
  const bytes = encoder.encode(key).length;
  if (bytes > KEY_BYTES_MAX) return `the key is ${bytes} UTF-8 bytes, over the limit of ${KEY_BYTES_MAX}`;
  return undefined;
}

function hasControlCharacter(key: string): boolean {
  for (let i = 0; i < key.length; i += 1) {
    const code = key.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
