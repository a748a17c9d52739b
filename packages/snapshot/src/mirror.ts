import { join, resolve } from "node:path";
import { StoreError, atomicReplace, ioError, jsonValueProblem, mkdirDurable, quote, type JsonValue } from "@store/fs";
import { jsonBytes, writeJsonAtomic } from "./json-file.js";
import { MANIFEST_FILE_NAME, MANIFEST_FORMAT, MANIFEST_VERSION, readManifest, viewRecord, type Manifest, type ViewRecord } from "./manifest.js";
import { assertMirrorSource, resolveMirrorOptions, type MirrorOptions, type ResolvedMirrorOptions } from "./mirror-options.js";
import type { ChangeEvent, MirrorSource } from "./source.js";
import { SourceDurability } from "./source-durability.js";
import { registerMirrorDir, removeStaleTemps } from "./stale-temps.js";
import { ViewFailures, type FailingView } from "./view-failures.js";

export interface Mirror {
  /** Writes every changed view now (after any write in flight), then the manifest. */
  flush(): Promise<void>;
  /** Stops listening, writes the final state of every changed view, and stops. Idempotent. */
  close(): Promise<void>;
  /** View files with changes not yet written. */
  readonly dirtyViews: readonly string[];
  /** Views whose last write failed, with the error and when the background retries them. */
  readonly failingViews: readonly FailingView[];
  /** The last failure of a background write, flush or close; `undefined` until one happens. */
  readonly lastError: unknown;
  /** How many view files this mirror has written. */
  readonly viewWrites: number;
  /** Temp files of dead writers this mirror removed from its folder when it started. */
  readonly staleTempFilesRemoved: number;
}

/** What a view holds at one seq, captured in one synchronous turn. */
interface CapturedView {
  readonly file: string;
  readonly prefix: string;
  readonly seq: number;
  readonly path: string;
  readonly bytes: Uint8Array;
}

/**
 * Keeps JSON files in `options.dir` in step with `source`, in the background: each view file is
 * rewritten atomically at most once per `intervalMs`, only when a key under its prefix changed, one
 * write at a time, and never ahead of what the source has made durable. The source's subscribe
 * callback only marks views dirty and starts a timer. Every view starts dirty, so the first tick
 * brings the files up to date with the source.
 */
export function createMirror(source: MirrorSource, options: MirrorOptions): Mirror {
  assertMirrorSource(source);
  return new JsonMirror(source, resolveMirrorOptions(options));
}

class JsonMirror implements Mirror {
  readonly #source: MirrorSource;
  readonly #options: ResolvedMirrorOptions;
  readonly #dir: string;
  readonly #dirty: Set<string>;
  readonly #failures: ViewFailures;
  readonly #durability: SourceDurability;
  readonly #unsubscribe: () => void;
  readonly #unregister: () => void;
  #records = new Map<string, ViewRecord>();
  #prepared = false;
  /** Cancels the pending background pass, if one is set. */
  #cancelTimer: (() => void) | undefined;
  #timerDueAtMs = Number.POSITIVE_INFINITY;
  #chain: Promise<unknown> = Promise.resolve();
  #closed: Promise<void> | undefined;
  #lastError: unknown;
  #viewWrites = 0;
  #staleTempFilesRemoved = 0;

  constructor(source: MirrorSource, options: ResolvedMirrorOptions) {
    this.#source = source;
    this.#options = options;
    this.#dir = resolve(options.dir);
    this.#dirty = new Set(options.views.keys());
    this.#failures = new ViewFailures(options);
    this.#durability = new SourceDurability(source, options.dir);
    this.#unregister = registerMirrorDir(options.fs, this.#dir);
    this.#unsubscribe = source.subscribe((event) => {
      this.#onChange(event);
    });
    this.#schedule();
  }

  get dirtyViews(): readonly string[] {
    return [...this.#dirty];
  }

  get failingViews(): readonly FailingView[] {
    return this.#failures.list;
  }

  get lastError(): unknown {
    return this.#lastError;
  }

  get viewWrites(): number {
    return this.#viewWrites;
  }

  get staleTempFilesRemoved(): number {
    return this.#staleTempFilesRemoved;
  }

  flush(): Promise<void> {
    if (this.#closed !== undefined) return Promise.reject(new StoreError("STORE_CLOSED", `The mirror of ${this.#options.dir} is closed; create a new one.`, { path: this.#options.dir }));
    return this.#enqueue("all").then((errors) => {
      this.#settle(errors);
    });
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#unsubscribe();
      this.#clearTimer();
      try {
        this.#settle(await this.#enqueue("all"));
      } finally {
        this.#unregister();
      }
    })();
    return this.#closed;
  }

  /** On the source's write path: only bookkeeping, no I/O. */
  #onChange(event: ChangeEvent): void {
    for (const op of event.ops) {
      for (const [file, { prefix }] of this.#options.views) {
        if (op.key.startsWith(prefix)) this.#dirty.add(file);
      }
    }
    this.#schedule();
  }

  /**
   * One timer for the next background pass: `intervalMs` from now if a view that is not backing
   * off is dirty, else when the earliest failing view is due. A sooner need replaces a later timer.
   */
  #schedule(): void {
    if (this.#closed !== undefined || this.#dirty.size === 0) return;
    const nowMs = this.#options.clock.now();
    const dueAtMs = Math.max(this.#failures.dueAtMs(this.#dirty, nowMs), nowMs + this.#options.intervalMs);
    if (this.#cancelTimer !== undefined && this.#timerDueAtMs <= dueAtMs) return;
    this.#clearTimer();
    this.#timerDueAtMs = dueAtMs;
    this.#cancelTimer = this.#options.clock.setTimer(() => {
      this.#cancelTimer = undefined;
      this.#timerDueAtMs = Number.POSITIVE_INFINITY;
      void this.#enqueue("due").then(
        (errors) => {
          for (const error of errors) this.#report(error);
          this.#schedule();
        },
        (error: unknown) => {
          this.#report(error); // a bug: #writeDirty does not reject
        },
      );
    }, dueAtMs - nowMs);
  }

  #clearTimer(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#timerDueAtMs = Number.POSITIVE_INFINITY;
  }

  #report(error: unknown): void {
    this.#lastError = error;
    try {
      this.#options.onError(error);
    } catch {
      // A throwing handler must not turn a reported failure into an unhandled rejection.
      process.emitWarning(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** flush() and close() reject with the first failure of their pass; `failingViews` lists every one. */
  #settle(errors: readonly unknown[]): void {
    if (errors.length === 0) return;
    this.#lastError = errors[0];
    throw errors[0];
  }

  /** Runs one write pass after the one in flight, so that at most one is ever in flight. */
  #enqueue(which: "due" | "all"): Promise<readonly unknown[]> {
    const pass = this.#chain.then(() => this.#writeDirty(which));
    this.#chain = pass.catch(() => undefined);
    return pass;
  }

  /**
   * Writes the dirty views (`due`: those not backing off after a failure), each on its own: one view
   * that fails does not keep the others from being written. Returns the failures: one per failed
   * view, or one for the whole pass when the folder, the source's checkpoint or the manifest failed.
   */
  async #writeDirty(which: "due" | "all"): Promise<readonly unknown[]> {
    const nowMs = this.#options.clock.now();
    const files = [...this.#dirty].filter((file) => which === "all" || this.#failures.isDue(file, nowMs));
    if (files.length === 0) return [];
    const errors: unknown[] = [];
    const written: string[] = [];
    const failed = new Set<string>();
    try {
      await this.#prepare();
      try {
        for (const file of files) {
          const error = await this.#writeView(file);
          if (error === undefined) written.push(file);
          else {
            this.#failures.failed(file, error, nowMs);
            failed.add(file);
            errors.push(error);
          }
        }
      } finally {
        // The manifest follows the views it describes, never precedes them: a crash in between
        // leaves a manifest that is older than a view, which `verifyMirror` shows as a mismatch.
        if (written.length > 0) await this.#writeManifest();
      }
      for (const file of written) this.#failures.succeeded(file);
    } catch (error) {
      // Without a manifest the views just written are not vouched for: write them again next time.
      for (const file of written) this.#dirty.add(file);
      for (const file of files) if (this.#dirty.has(file) && !failed.has(file)) this.#failures.failed(file, error, nowMs);
      errors.push(error);
    }
    return errors;
  }

  /**
   * Writes one view: its state at one seq, made durable in the source before the file is replaced.
   * Returns the view's own failure; throws what fails the whole pass (the source's checkpoint).
   */
  async #writeView(file: string): Promise<unknown> {
    this.#dirty.delete(file);
    let view: CapturedView;
    try {
      view = this.#capture(file);
    } catch (error) {
      this.#dirty.add(file);
      return error;
    }
    try {
      await this.#durability.upTo(view.seq);
    } catch (error) {
      this.#dirty.add(file);
      throw error;
    }
    try {
      await atomicReplace(this.#options.fs, view.path, view.bytes);
    } catch (error) {
      this.#dirty.add(file);
      return error instanceof StoreError ? error : ioError("Writing the mirror view", view.path, error);
    }
    this.#records.set(file, viewRecord(view.prefix, view.seq, view.bytes, new Date(this.#options.clock.now())));
    this.#viewWrites += 1;
    return undefined;
  }

  /**
   * seq and scan in one synchronous turn, so the bytes are exactly the state at seq. Each value is
   * checked on its own (after the view's transform, if it has one), so a refusal names its key and
   * the limit as the caller set it.
   */
  #capture(file: string): CapturedView {
    const { prefix, transform } = this.#options.views.get(file) ?? { prefix: "", transform: undefined };
    const path = join(this.#options.dir, file);
    const limits = { valueDepthMax: this.#options.valueDepthMax };
    const seq = this.#source.seq;
    const view = Object.create(null) as Record<string, JsonValue>;
    for (const [key, stored] of this.#source.scan(prefix)) {
      const value = transform === undefined ? stored : transformed(transform, key, stored, path);
      if (value === undefined) continue;
      const problem = jsonValueProblem(value, limits);
      if (problem !== undefined) {
        throw new StoreError(
          "STORE_INVALID_VALUE",
          `Cannot write the mirror view ${path}: the value of key ${quote(key)}${transform === undefined ? "" : " (as the view's transform returned it)"} is not plain JSON: ${problem}. The other views are still written; this one is retried with backoff (mirror.failingViews).`,
          { path, key },
        );
      }
      view[key.slice(prefix.length)] = value;
    }
    return { file, prefix, seq, path, bytes: jsonBytes(view, this.#options.spaces) };
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

  /** Creates the folder, removes dead writers' temp files, keeps the records of views not yet rewritten. */
  async #prepare(): Promise<void> {
    if (this.#prepared) return;
    const { fs, dir, views, processProbe } = this.#options;
    await mkdirDurable(fs, dir).catch((error: unknown) => {
      throw error instanceof StoreError ? error : ioError("Preparing the mirror folder", dir, error);
    });
    const targets = new Set([...views.keys(), MANIFEST_FILE_NAME]);
    this.#staleTempFilesRemoved += await removeStaleTemps(fs, this.#dir, targets, processProbe).catch((error: unknown) => {
      // Left-over temp files waste space but harm nothing: say so, and go on writing.
      this.#report(ioError("Removing temp files left by dead writers in the mirror folder", dir, error));
      return 0;
    });
    const old = await readManifest(dir, { fs }).catch((error: unknown) => {
      // A damaged manifest is replaced by the next write; say so rather than hide it.
      this.#report(error);
      return undefined;
    });
    for (const [file, record] of Object.entries(old?.views ?? {})) {
      if (views.get(file)?.prefix === record.prefix && !this.#records.has(file)) this.#records.set(file, record);
    }
    this.#prepared = true;
  }
}

/** A transform that throws fails its view's write like a refused value: reported, retried with backoff. */
function transformed(transform: (key: string, value: JsonValue) => JsonValue | undefined, key: string, value: JsonValue, path: string): JsonValue | undefined {
  try {
    return transform(key, value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      "STORE_INVALID_VALUE",
      `Cannot write the mirror view ${path}: its transform threw for key ${quote(key)}: ${reason}. The other views are still written; this one is retried with backoff (mirror.failingViews).`,
      { path, key, cause: error },
    );
  }
}
