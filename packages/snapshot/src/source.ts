import type { ChangeEvent, JsonValue } from "@store/fs";

/** The change event shape every package shares, declared once in @store/fs. */
export type { ChangeEvent, ChangeOp } from "@store/fs";

/**
 * What the mirror reads; `@store/log`'s store satisfies it. `scan` must reflect exactly the writes
 * up to `seq` whenever both are read in the same synchronous turn.
 */
export interface MirrorSource {
  /** Sequence number of the last acknowledged write (0 when empty). */
  readonly seq: number;
  /**
   * Makes every write acknowledged so far durable, whatever the source's sync mode (`@store/log`'s
   * `checkpoint()`). The mirror calls it before it writes a view, so that no view or manifest is
   * ever ahead of what survives a power cut. A source whose acknowledged writes are always durable
   * may leave it out.
   */
  checkpoint?(): Promise<unknown>;
  /** Entries whose key starts with `prefix`, sorted by key. */
  scan(prefix?: string): Iterable<readonly [string, JsonValue]>;
  /** Calls `listener` after each durable write; returns the function that unsubscribes. */
  subscribe(listener: (event: ChangeEvent) => void): () => void;
}

/** A write the importer issues. */
export interface ImportOp {
  readonly type: "set";
  readonly key: string;
  readonly value: JsonValue;
}

/** What the importer writes to; `@store/log`'s store satisfies it. */
export interface ImportTarget {
  /** Applies all ops atomically and durably. */
  batch(ops: ImportOp[]): Promise<{ readonly seq: number }>;
}
