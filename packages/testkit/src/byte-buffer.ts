/**
 * A growable byte array: a file's content. Appends are amortized O(1) so that a simulated log of
 * many small records costs what it would on a real disk, not O(n^2).
 */
export class ByteBuffer {
  #bytes: Uint8Array;
  #size: number;

  constructor(initial: Uint8Array = new Uint8Array(0)) {
    this.#bytes = new Uint8Array(Math.max(64, initial.length));
    this.#bytes.set(initial);
    this.#size = initial.length;
  }

  get size(): number {
    return this.#size;
  }

  /** The live content, without copying: callers must not keep it across a mutation. */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.#size);
  }

  copy(): Uint8Array {
    return this.#bytes.slice(0, this.#size);
  }

  clone(): ByteBuffer {
    return new ByteBuffer(this.view());
  }

  /** Writes `data` at `position`; a gap past the old end reads as zeros. */
  write(position: number, data: Uint8Array): void {
    const end = position + data.length;
    this.#reserve(end);
    this.#bytes.set(data, position);
    this.#size = Math.max(this.#size, end);
  }

  truncate(length: number): void {
    if (length < this.#size) {
      // Zero the cut tail so that growing the file again exposes zeros, as on a real disk.
      this.#bytes.fill(0, length, this.#size);
    } else {
      this.#reserve(length);
    }
    this.#size = length;
  }

  read(into: Uint8Array, offset: number, length: number, position: number): number {
    if (position >= this.#size) return 0;
    const count = Math.min(length, this.#size - position);
    into.set(this.#bytes.subarray(position, position + count), offset);
    return count;
  }

  #reserve(capacity: number): void {
    if (capacity <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(capacity, this.#bytes.length * 2));
    grown.set(this.#bytes.subarray(0, this.#size));
    this.#bytes = grown;
  }
}
