import { basename, dirname, join, relative, resolve, isAbsolute } from "node:path";
import { StoreError, atomicReplace, isErrno, nodeFileSystem, type FileSystem } from "@store/fs";
import type { EntryExport } from "./export-entries.js";
import { exportLines } from "./export-file.js";
import { importEntries } from "./import-entries.js";
import { openStore } from "./open-store.js";
import type { StoreOptions } from "./options.js";
import { seqAt, stateAt, type PastState } from "./restore-point.js";

export interface RestoreOptions {
  readonly fs?: FileSystem;
  /** Restore the state exactly as of this seq. Exactly one of `seq` and `atMs`. */
  readonly seq?: number;
  /** Restore the state as of the last record written at or before this time (ms since the epoch, the records' `ts`). */
  readonly atMs?: number;
  /** Options for the new store (limits, sync); its `fs` is `fs`. */
  readonly storeOptions?: Omit<StoreOptions, "fs" | "readOnly">;
}

export interface RestoreResult {
  /** The seq of `dir` whose state was restored. */
  readonly seq: number;
  /** When the record at `seq` was written (its `ts`); undefined when the state came from a base alone (or is the empty store). */
  readonly ts: number | undefined;
  /** Keys in the new store. */
  readonly keys: number;
  /** The new store's own seq (a fresh store numbers its writes anew). */
  readonly newSeq: number;
}

/**
 * Point-in-time restore: writes the state of the store in `dir` as of `seq` (or as of the last record
 * written at or before `atMs`) into a NEW store in `out`, from the live files and the retained
 * backups. Read-only on `dir`, without its lock (safe while its writer runs). `out` must not exist or
 * be empty (else STORE_IO, as `backupFolder` says for its dest) and must lie outside `dir`. The new store is built aside and renamed
 * into place (`importEntries`), so after a crash `out` is absent or whole; then it is opened and
 * checked key by key against the state. A state older than every base kept, or a seq `dir` never
 * reached: STORE_HISTORY_GONE.
 */
export async function restoreTo(dir: string, out: string, options: RestoreOptions): Promise<RestoreResult> {
  const fs = options.fs ?? nodeFileSystem;
  assertOptions(dir, out, options);
  await assertNewFolder(fs, out);
  const seq = options.seq ?? (await seqAt(fs, dir, options.atMs ?? 0));
  const state = await stateAt(fs, dir, seq);
  const file = join(dirname(out), `.${basename(out)}.restore-${process.pid}-${Date.now()}.jsonl`);
  const encoder = new TextEncoder();
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const line of exportLines(asExport(state), "jsonl")) yield encoder.encode(line);
  }
  let newSeq: number;
  try {
    await atomicReplace(fs, file, chunks());
    newSeq = (await importEntries(out, file, { fs, ...(options.storeOptions === undefined ? {} : { storeOptions: options.storeOptions }) })).seq;
  } finally {
    await fs.unlink(file).catch((error: unknown) => {
      if (!isErrno(error, "ENOENT")) throw error;
    });
  }
  await verifyRestored(fs, out, state);
  return { seq, ts: state.ts, keys: state.entries.size, newSeq };
}

/** The state as an export (what `exportLines` streams), so the file is the one `importEntries` checks. */
function asExport(state: PastState): EntryExport {
  return {
    seq: state.seq,
    keysSinceBase: state.entries.size,
    async *entries() {
      for (const [key, { value, version }] of state.entries) yield { key, value, version };
    },
    close: () => Promise.resolve(),
  };
}

/** The new store opens and holds exactly the state: every key, every value, nothing more. */
async function verifyRestored(fs: FileSystem, out: string, state: PastState): Promise<void> {
  const store = await openStore(out, { fs, readOnly: true });
  try {
    const keys = store.stats().keys;
    if (keys !== state.entries.size) throw new Error(`restoreTo(): ${out} holds ${keys} keys after the restore, the state as of seq ${state.seq} has ${state.entries.size}.`);
    for (const [key, { value }] of state.entries) {
      if (JSON.stringify(store.get(key)) !== JSON.stringify(value)) throw new Error(`restoreTo(): ${out} holds another value for ${JSON.stringify(key)} than the state as of seq ${state.seq}.`);
    }
  } finally {
    await store.close();
  }
}

async function assertNewFolder(fs: FileSystem, out: string): Promise<void> {
  const stat = await fs.stat(out);
  if (stat === undefined) return;
  if (stat.isDirectory && (await fs.readdir(out)).length === 0) return;
  throw new StoreError("STORE_IO", `${out} already exists and is not an empty folder: a restore writes a new store and never over another. Pass a new folder (or an empty one).`, { path: out });
}

function assertOptions(dir: string, out: string, options: RestoreOptions): void {
  const { seq, atMs } = options;
  if ((seq === undefined) === (atMs === undefined)) throw new TypeError(`restoreTo() takes exactly one of seq and atMs, got ${JSON.stringify({ seq, atMs })}.`);
  if (seq !== undefined && (!Number.isSafeInteger(seq) || seq < 0)) throw new TypeError(`restoreTo() takes a seq (an integer from 0), got ${JSON.stringify(seq)}.`);
  if (atMs !== undefined && !Number.isFinite(atMs)) throw new TypeError(`restoreTo() takes atMs as a finite number of ms since the epoch, got ${String(atMs)}.`);
  const inside = relative(resolve(dir), resolve(out));
  if (inside === "" || (!inside.startsWith("..") && !isAbsolute(inside))) throw new TypeError(`restoreTo() writes into a new folder outside the store's, got ${JSON.stringify(out)} for the store ${JSON.stringify(dir)}.`);
}
