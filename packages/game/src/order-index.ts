/** What the leaderboard orders: highest score first, ties by id (code-unit order) so the order is total. */
export interface Ranked {
  readonly id: string;
  readonly score: number;
}

export function compareRanked(a: Ranked, b: Ranked): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Items per block when built; a block splits in two past twice this, and is dropped when empty. */
const BLOCK_SIZE = 512;

/**
 * An order-statistics set: a sorted list cut into blocks of a few hundred items (the structure of
 * Python's `sortedcontainers`). Insert and remove cost a binary search over the blocks plus a splice
 * inside one block; the position of an item costs a sum over the blocks before it (a few hundred
 * additions for 100k items), which measured well under a microsecond, so no tree of counts is kept.
 * Items are compared with `compareRanked`; two items comparing equal are the same item.
 */
export class OrderIndex<T extends Ranked> {
  #blocks: T[][] = [];
  #size = 0;

  /** Builds the index from items in any order (sorted once: faster than inserting one by one). */
  static from<T extends Ranked>(items: Iterable<T>): OrderIndex<T> {
    const index = new OrderIndex<T>();
    const sorted = [...items].sort(compareRanked);
    for (let start = 0; start < sorted.length; start += BLOCK_SIZE) index.#blocks.push(sorted.slice(start, start + BLOCK_SIZE));
    index.#size = sorted.length;
    return index;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds `item`; returns false (and changes nothing) when an equal item is there already. */
  insert(item: T): boolean {
    if (this.#blocks.length === 0) {
      this.#blocks.push([item]);
      this.#size = 1;
      return true;
    }
    const blockIndex = Math.min(this.#blockFor(item), this.#blocks.length - 1);
    const block = this.#blocks[blockIndex]!;
    const at = lowerBound(block, item);
    if (at < block.length && compareRanked(block[at]!, item) === 0) return false;
    block.splice(at, 0, item);
    this.#size += 1;
    if (block.length > 2 * BLOCK_SIZE) this.#blocks.splice(blockIndex, 1, block.slice(0, BLOCK_SIZE), block.slice(BLOCK_SIZE));
    return true;
  }

  /** Removes the item equal to `item`; returns whether there was one. */
  remove(item: Ranked): boolean {
    const blockIndex = this.#blockFor(item);
    const block = this.#blocks[blockIndex];
    if (block === undefined) return false;
    const at = lowerBound(block, item);
    if (at >= block.length || compareRanked(block[at]!, item) !== 0) return false;
    block.splice(at, 1);
    this.#size -= 1;
    if (block.length === 0) this.#blocks.splice(blockIndex, 1);
    return true;
  }

  /** How many items sort before `probe` (whether or not it is in the index). */
  countBefore(probe: Ranked): number {
    const blockIndex = this.#blockFor(probe);
    let before = 0;
    for (let index = 0; index < blockIndex; index += 1) before += this.#blocks[index]!.length;
    const block = this.#blocks[blockIndex];
    return block === undefined ? before : before + lowerBound(block, probe);
  }

  /** How many items have a score strictly above `score`. */
  countAbove(score: number): number {
    // (score, "") sorts before every item with that score: the empty string precedes any id.
    return this.countBefore({ id: "", score });
  }

  /** The item at `position` (0 = highest score), or undefined past the end. */
  at(position: number): T | undefined {
    if (!Number.isInteger(position) || position < 0) return undefined;
    let left = position;
    for (const block of this.#blocks) {
      if (left < block.length) return block[left];
      left -= block.length;
    }
    return undefined;
  }

  /** Up to `limit` items from `offset` on, in order. */
  slice(offset: number, limit: number): T[] {
    const result: T[] = [];
    let skip = offset;
    for (const block of this.#blocks) {
      if (result.length >= limit) break;
      if (skip >= block.length) {
        skip -= block.length;
        continue;
      }
      const taken = block.slice(skip, skip + limit - result.length);
      skip = 0;
      for (const item of taken) result.push(item);
    }
    return result;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const block of this.#blocks) yield* block;
  }

  /** The first block whose last item does not sort before `item` (blocks.length when none). */
  #blockFor(item: Ranked): number {
    let low = 0;
    let high = this.#blocks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const block = this.#blocks[middle]!;
      if (compareRanked(block[block.length - 1]!, item) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** The first position in sorted `items` whose item does not sort before `probe`. */
function lowerBound(items: readonly Ranked[], probe: Ranked): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareRanked(items[middle]!, probe) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
