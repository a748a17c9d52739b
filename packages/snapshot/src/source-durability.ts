import { StoreError } from "@store/fs";
import type { MirrorSource } from "./source.js";

/**
 * Makes the source durable up to a seq before a view at that seq is written. With `@store/log`'s
 * `sync: "interval"` or `"none"` an acknowledged write can still be lost to a power cut, and a view
 * (and the manifest's seq) must never show a write the log then does not recover. One
 * `checkpoint()` covers every write acknowledged when it was called, so views captured at or below
 * that seq need no other.
 */
export class SourceDurability {
  readonly #source: MirrorSource;
  readonly #dir: string;
  /** Every write up to this seq is known durable in the source. */
  #durableSeq = 0;
  /** The source cannot make anything durable (a read-only store): what it shows is what it read. */
  #refused = false;

  constructor(source: MirrorSource, dir: string) {
    this.#source = source;
    this.#dir = dir;
  }

  /** Resolves once every write up to `seq` is durable in the source. */
  async upTo(seq: number): Promise<void> {
    if (seq <= this.#durableSeq || this.#refused || this.#source.checkpoint === undefined) return;
    const target = this.#source.seq; // the checkpoint covers every write acknowledged by now
    try {
      await this.#source.checkpoint();
    } catch (error) {
      if (codeOf(error) === "STORE_READ_ONLY") {
        this.#refused = true;
        return;
      }
      if (error instanceof StoreError) throw error;
      throw new StoreError("STORE_IO", `The mirror of ${this.#dir} could not make its source durable (checkpoint() failed), so no view is written until it can.`, {
        path: this.#dir,
        cause: error,
      });
    }
    this.#durableSeq = Math.max(this.#durableSeq, target);
  }
}

/** Errors cross package boundaries by code, not by class. */
function codeOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}
