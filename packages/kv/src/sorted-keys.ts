/**
 * The memory store's keys in UTF-16 code-unit order (JavaScript's `<` on strings), for scans.
 * A sorted array with binary search: inserts cost a memmove, which is simple and fast enough for a
 * reference store; a backend for millions of keys wants a tree.
 */
export class SortedKeys {
  readonly #keys: string[] = [];

  insert(key: string): void {
    this.#keys.splice(this.#lowerBound(key), 0, key);
  }

  remove(key: string): void {
    const index = this.#lowerBound(key);
    if (this.#keys[index] === key) this.#keys.splice(index, 1);
  }

  /** Up to `limit` keys starting with `prefix`, strictly after `after` in the scan's direction. */
  range(prefix: string, after: string | undefined, limit: number, reverse: boolean): string[] {
    // Keys with the prefix form one block: every key below the prefix, then the block, then the rest.
    const blockStart = this.#lowerBound(prefix);
    const blockEnd = this.#firstIndex((key) => key >= prefix && !key.startsWith(prefix), blockStart);
    const result: string[] = [];
    if (reverse) {
      const end = after === undefined ? blockEnd : Math.min(blockEnd, this.#lowerBound(after));
      for (let index = end - 1; index >= blockStart && result.length < limit; index -= 1) result.push(this.#keys[index]!);
    } else {
      const start = after === undefined ? blockStart : Math.max(blockStart, this.#upperBound(after));
      for (let index = start; index < blockEnd && result.length < limit; index += 1) result.push(this.#keys[index]!);
    }
    return result;
  }

  /** First index whose key is >= `key`. */
  #lowerBound(key: string): number {
    return this.#firstIndex((candidate) => candidate >= key, 0);
  }

  /** First index whose key is > `key`. */
  #upperBound(key: string): number {
    return this.#firstIndex((candidate) => candidate > key, 0);
  }

  /** First index from `low` where `predicate` holds; it must be false then true along the array. */
  #firstIndex(predicate: (key: string) => boolean, low: number): number {
    let high = this.#keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (predicate(this.#keys[middle]!)) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
