import { baseName, segmentName } from "./files.js";

/**
 * The data folder's live files other than the active segment: the base (if any) and the sealed
 * segments after it, with their sizes. The one owner of that set: the committer adds a segment it
 * seals, a compaction replaces the base and what it covers, stats reads it. Nothing else writes it,
 * so "which files hold the state" has one answer at any instant.
 */
export class LiveFiles {
  #base: { readonly fileNumber: number; readonly bytes: number } | undefined;
  /** Bytes of whole records in each sealed segment, by file number. */
  readonly #sealed = new Map<number, number>();

  constructor(base: { readonly fileNumber: number; readonly bytes: number } | undefined, sealed: ReadonlyArray<readonly [number, number]>) {
    this.#base = base;
    for (const [fileNumber, bytes] of sealed) this.addSealed(fileNumber, bytes);
  }

  get baseNumber(): number | undefined {
    return this.#base?.fileNumber;
  }

  get sealedCount(): number {
    return this.#sealed.size;
  }

  /** Bytes of the base and the sealed segments. */
  get bytes(): number {
    let bytes = this.#base?.bytes ?? 0;
    for (const size of this.#sealed.values()) bytes += size;
    return bytes;
  }

  /** A segment the committer has sealed: it stays live until a base covers it. */
  addSealed(fileNumber: number, bytes: number): void {
    assert(!this.#sealed.has(fileNumber), `segment ${fileNumber} is sealed once`);
    assert(fileNumber >= (this.#base?.fileNumber ?? 0), `segment ${fileNumber} comes after base ${this.#base?.fileNumber}`);
    this.#sealed.set(fileNumber, bytes);
  }

  /**
   * Base `fileNumber` is durable: it holds everything before segment `fileNumber`, so the old base
   * and the sealed segments numbered below it are no longer live. Returns their names, to retire.
   */
  replaceWithBase(fileNumber: number, bytes: number): string[] {
    assert(fileNumber > (this.#base?.fileNumber ?? 0), `base ${fileNumber} is newer than base ${this.#base?.fileNumber}`);
    const replaced = this.#base === undefined ? [] : [baseName(this.#base.fileNumber)];
    for (const segment of [...this.#sealed.keys()].sort((a, b) => a - b)) {
      if (segment >= fileNumber) continue;
      this.#sealed.delete(segment);
      replaced.push(segmentName(segment));
    }
    this.#base = { fileNumber, bytes };
    return replaced;
  }
}

function assert(condition: boolean, what: string): void {
  if (!condition) throw new Error(`assertion failed: ${what}`);
}
