import { dirname, join } from "node:path";
import { StoreError, atomicReplace, ioError, type FileSystem } from "@store/fs";
import { encodeJson, writeJsonAtomic } from "./json-file.js";
import type { JsonValue } from "@store/fs";
import { MANIFEST_FILE_NAME, MANIFEST_FORMAT, MANIFEST_VERSION, readManifest, viewRecord, type Manifest, type ViewRecord } from "./manifest.js";
import { resolveMirrorOptions, type MirrorOptions, type ResolvedMirrorOptions } from "./mirror-options.js";
import type { ChangeEvent, MirrorSource } from "./source.js";

export interface Mirror {
  /** Writes every changed view now (after any write in flight), then the manifest. */
  flush(): Promise<void>;
  /** Stops listening, writes the final state of every changed view, and stops. Idempotent. */
  close(): Promise<void>;
  /** View files with changes not yet written. */
  readonly dirtyViews: readonly string[];
  /** The last failure of a background write, flush or close; `undefined` until one happens. */
  readonly lastError: unknown;
  /** How many view files this mirror has written. */
  readonly viewWrites: number;
}

/**
 * Keeps JSON files in `options.dir` in step with `source`, in the background: each view file is
 * rewritten atomically at most once per `intervalMs`, only when a key under its prefix changed, one
 * write at a time. The source's subscribe callback only marks views dirty and starts a timer.
 * Every view starts dirty, so the first tick brings the files up to date with the source.
 */
export function createMirror(source: MirrorSource, options: MirrorOptions): Mirror {
  return new JsonMirror(source, resolveMirrorOptions(options));
}

class JsonMirror implements Mirror {
  readonly #source: MirrorSource;
  readonly #options: ResolvedMirrorOptions;
  readonly #dirty: Set<string>;
  readonly #unsubscribe: () => void;
  #records = new Map<string, ViewRecord>();
  #prepared = false;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #closed: Promise<void> | undefined;
  #lastError: unknown;
  #viewWrites = 0;

  constructor(source: MirrorSource, options: ResolvedMirrorOptions) {
    this.#source = source;
    this.#options = options;
    this.#dirty = new Set(options.views.keys());
    this.#unsubscribe = source.subscribe((event) => {
      this.#onChange(event);
    });
    this.#schedule();
  }

  get dirtyViews(): readonly string[] {
    return [...this.#dirty];
  }

  get lastError(): unknown {
    return this.#lastError;
  }

  get viewWrites(): number {
    return this.#viewWrites;
  }

  flush(): Promise<void> {
    if (this.#closed !== undefined) return Promise.reject(new StoreError("STORE_CLOSED", `The mirror of ${this.#options.dir} is closed; create a new one.`, { path: this.#options.dir }));
    return this.#enqueue();
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#unsubscribe();
      clearTimeout(this.#timer);
      this.#timer = undefined;
      await this.#enqueue();
    })();
    return this.#closed;
  }

  /** On the source's write path: only bookkeeping, no I/O. */
  #onChange(event: ChangeEvent): void {
    for (const op of event.ops) {
      for (const [file, prefix] of this.#options.views) {
        if (op.key.startsWith(prefix)) this.#dirty.add(file);
      }
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed !== undefined || this.#dirty.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#enqueue().catch((error: unknown) => {
        this.#report(error);
        this.#schedule(); // retry on the next tick
      });
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  #report(error: unknown): void {
    try {
      this.#options.onError(error);
    } catch {
      // A throwing handler must not turn a reported failure into an unhandled rejection.
      process.emitWarning(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Runs one write pass after the one in flight, so that at most one is ever in flight. */
  #enqueue(): Promise<void> {
    const pass = this.#chain.then(() => this.#writeDirty());
    this.#chain = pass.catch(() => undefined);
    return pass.catch((error: unknown) => {
      this.#lastError = error;
      throw error;
    });
  }

  async #writeDirty(): Promise<void> {
    const files = [...this.#dirty];
    if (files.length === 0) return;
    await this.#prepare().catch((error: unknown) => {
      throw error instanceof StoreError ? error : ioError("Preparing the mirror folder", this.#options.dir, error);
    });
    let written = 0;
    try {
      for (const file of files) {
        await this.#writeView(file);
        written += 1;
      }
    } finally {
      // The manifest follows the views it describes, never precedes them: a crash in between
      // leaves a manifest that is older than a view, which `verifyMirror` shows as a mismatch.
      if (written > 0) await this.#writeManifest();
    }
  }

  async #writeView(file: string): Promise<void> {
    const prefix = this.#options.views.get(file) ?? "";
    // seq and scan in one synchronous turn, so the view is exactly the state at seq.
    this.#dirty.delete(file);
    const seq = this.#source.seq;
    const view = Object.create(null) as Record<string, JsonValue>;
    for (const [key, value] of this.#source.scan(prefix)) view[key.slice(prefix.length)] = value;
    const path = join(this.#options.dir, file);
    try {
      const bytes = encodeJson(view, this.#options.spaces, path);
      await atomicReplace(this.#options.fs, path, bytes);
      this.#records.set(file, viewRecord(prefix, seq, bytes, new Date()));
      this.#viewWrites += 1;
    } catch (error) {
      this.#dirty.add(file);
      throw error instanceof StoreError ? error : ioError("Writing the mirror view", path, error);
    }
  }

  async #writeManifest(): Promise<void> {
    const views: Record<string, ViewRecord> = {};
    for (const file of [...this.#records.keys()].sort()) views[file] = this.#records.get(file)!;
    const manifest: Manifest = { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, views };
    const path = join(this.#options.dir, MANIFEST_FILE_NAME);
    await writeJsonAtomic(path, manifest, { fs: this.#options.fs, spaces: 2 }).catch((error: unknown) => {
      throw error instanceof StoreError ? error : ioError("Writing the mirror manifest", path, error);
    });
  }

  /** Creates the folder and keeps the records of views this run has not rewritten yet. */
  async #prepare(): Promise<void> {
    if (this.#prepared) return;
    const { fs, dir, views } = this.#options;
    await makeDurableDir(fs, dir);
    const old = await readManifest(dir, { fs }).catch((error: unknown) => {
      // A damaged manifest is replaced by the next write; say so rather than hide it.
      this.#report(error);
      return undefined;
    });
    for (const [file, record] of Object.entries(old?.views ?? {})) {
      if (views.get(file) === record.prefix && !this.#records.has(file)) this.#records.set(file, record);
    }
    this.#prepared = true;
  }
}

/**
 * Creates `dir` and any missing parents, and fsyncs the parent of each folder it created: without
 * that, a power cut can take the new folders, and every view in them, away.
 */
async function makeDurableDir(fs: FileSystem, dir: string): Promise<void> {
  const created: string[] = [];
  for (let path = dir; (await fs.stat(path)) === undefined; path = dirname(path)) {
    created.push(path);
    if (dirname(path) === path) break;
  }
  if (created.length === 0) return;
  await fs.mkdir(dir);
  for (const path of created) await fs.fsyncDir(dirname(path));
}
