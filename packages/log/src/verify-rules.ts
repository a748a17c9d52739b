import type { FileKind, HeaderRecord, LogRecord } from "./format.js";
import type { ScanResult } from "./reader.js";
import { FileChain, entrySeqProblem, headerProblem } from "./replay-rules.js";
import type { VerifyFinding } from "./verify-folder.js";

/**
 * The format's order rules (replay-rules.ts) across the live files of a folder, for verify: where
 * recovery and readLog stop at the first broken rule, this notes each one and goes on, so one pass
 * reports everything. The seq carried from file to file is the highest seen, so a gap is reported
 * once, where it starts.
 */
export class VerifyRules {
  readonly chain = new FileChain();

  /** The last seq of the files checked so far. */
  get seq(): number {
    return this.chain.seq;
  }

  startFile(path: string, kind: FileKind): FileRules {
    return new FileRules(this.chain, path, kind);
  }
}

export class FileRules {
  readonly #chain: FileChain;
  readonly #path: string;
  readonly #kind: FileKind;
  #header: HeaderRecord | undefined;
  #headerBroken = false;
  #entries = 0;
  #endCount: number | undefined;
  readonly #breaks: Array<VerifyFinding & { readonly gap: boolean }> = [];

  constructor(chain: FileChain, path: string, kind: FileKind) {
    this.#chain = chain;
    this.#path = path;
    this.#kind = kind;
  }

  get unsynced(): boolean {
    return (this.#header?.sync ?? "always") !== "always";
  }

  check(record: LogRecord, offset: number, _end: number): void {
    if (this.#header === undefined && !this.#headerBroken) {
      const problem = headerProblem(record, this.#kind);
      if (problem !== undefined) {
        this.#headerBroken = true;
        this.#break(problem, offset, false);
        return;
      }
      this.#header = record as HeaderRecord;
      if (this.#kind === "base") this.#chain.startBase(this.#header);
      const startProblem = this.#kind === "segment" ? this.#chain.startSegment(this.#header) : undefined;
      if (startProblem !== undefined) this.#break(startProblem, offset, false);
      return;
    }
    if (this.#kind === "base") this.#checkBaseRecord(record, offset);
    else this.#checkSegmentRecord(record, offset);
  }

  /** The rule breaks, less a gap right after damaged lines (their records are what is missing: reported once, as the damage). */
  finish(scan: ScanResult): VerifyFinding[] {
    if (this.#kind === "segment" && this.#header === undefined) this.#chain.headerless();
    const damageEnds = new Set(scan.damage.map((damage) => damage.offset + damage.bytes));
    const findings: VerifyFinding[] = this.#breaks.filter((found) => !(found.gap && found.offset !== null && damageEnds.has(found.offset))).map(({ gap: _gap, ...finding }) => finding);
    if (this.#header === undefined && !this.#headerBroken && scan.damage.length === 0 && this.#kind === "base") {
      findings.push({ severity: "damage", what: "an empty base file", path: this.#path, offset: 0 });
    }
    if (this.#kind === "base" && this.#header !== undefined && scan.damage.length === 0) {
      if (this.#endCount === undefined) findings.push({ severity: "damage", what: "the end marker is missing", path: this.#path, offset: scan.size });
      else if (this.#endCount !== this.#entries) findings.push({ severity: "damage", what: `the end marker counts ${this.#endCount} entries, the file has ${this.#entries}`, path: this.#path, offset: scan.size });
    }
    return findings;
  }

  #checkBaseRecord(record: LogRecord, offset: number): void {
    if (record.op === "end") {
      this.#endCount = record.entries;
      return;
    }
    if (record.op !== "entry") {
      this.#break(`unexpected "${record.op}" record in a base file`, offset, false);
      return;
    }
    this.#entries += 1;
    const problem = this.#header === undefined ? undefined : entrySeqProblem(record.seq, this.#header.seq);
    if (problem !== undefined) this.#break(problem, offset, false);
  }

  #checkSegmentRecord(record: LogRecord, offset: number): void {
    if (record.op !== "set" && record.op !== "del" && record.op !== "batch") {
      this.#break(`unexpected "${record.op}" record in a segment`, offset, false);
      return;
    }
    const previous = this.#chain.seq;
    const problem = this.#chain.record(record.seq, this.#header?.salvaged === true);
    if (problem !== undefined) this.#break(problem, offset, record.seq > previous);
  }

  #break(what: string, offset: number, gap: boolean): void {
    this.#breaks.push({ severity: "damage", what, path: this.#path, offset, gap });
  }
}
