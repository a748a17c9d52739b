import type { KeyChange } from "./keyspace.js";

/** A committed write as the history keeps it: the value JSON is parsed only if someone replays it. */
export interface CommittedWrite {
  readonly seq: number;
  readonly changes: readonly KeyChange[];
  /** Encoded record size, what the history's byte bound counts. */
  readonly bytes: number;
}

/**
 * The last committed writes, so that a subscriber that reconnects can resume from the last seq it
 * saw without missing a change. Bounded by count and by bytes: a history is a convenience for
 * short gaps, and a subscriber further behind must read the state again (STORE_HISTORY_GONE).
 */
export class ChangeHistory {
  readonly #writesMax: number;
  readonly #bytesMax: number;
  readonly #writes: CommittedWrite[] = [];
  /** Index of the oldest kept write in `#writes`; the array is compacted when half of it is dead. */
  #head = 0;
  #bytes = 0;
  /** The seq the history starts after: every write above it up to the newest is kept. */
  #startSeq: number;

  constructor(startSeq: number, writesMax: number, bytesMax: number) {
    this.#startSeq = startSeq;
    this.#writesMax = writesMax;
    this.#bytesMax = bytesMax;
  }

  add(write: CommittedWrite): void {
    if (this.#writesMax === 0) {
      this.#startSeq = write.seq;
      return;
    }
    this.#writes.push(write);
    this.#bytes += write.bytes;
    while (this.#writes.length - this.#head > this.#writesMax || (this.#bytes > this.#bytesMax && this.#writes.length - this.#head > 1)) {
      const dropped = this.#writes[this.#head]!;
      this.#head += 1;
      this.#bytes -= dropped.bytes;
      this.#startSeq = dropped.seq;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#writes.length) {
      this.#writes.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Every kept write with a seq above `afterSeq`, or undefined when some of them are no longer kept. */
  since(afterSeq: number): CommittedWrite[] | undefined {
    if (afterSeq < this.#startSeq) return undefined;
    const kept = this.#writes.slice(this.#head);
    return kept.filter((write) => write.seq > afterSeq);
  }

  /** The oldest seq a subscriber may resume after. */
  get startSeq(): number {
    return this.#startSeq;
  }
}
