import { createHash } from "node:crypto";
import { StoreError, type JsonValue } from "@store/fs";
import type { KeyValueStore, WriteOp } from "@store/kv";
import { scanAll } from "@store/kv";
import { exportEntries, openStore, toKeyValueStore } from "@store/log";
import { openPostgresStore, type PostgresStore } from "@store/postgres";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { err, out, outJson, type Io } from "../io.js";

/** Most entries, and about the most bytes (keys and JSON), written per batch to the target. */
const BATCH_ENTRIES_MAX = 1_000;
const BATCH_BYTES_TARGET = 1024 * 1024;
/** A progress line every this many keys, on a terminal. */
const PROGRESS_EVERY_KEYS = 10_000;

export interface MigrateOptions {
  readonly from: string;
  readonly to: string;
  readonly schema: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

interface Source {
  readonly seq: number;
  readonly keys: number | undefined;
  entries(): AsyncIterable<{ readonly key: string; readonly value: JsonValue }>;
  close(): Promise<void>;
}

interface Digest {
  keys: number;
  hash: bigint;
}

/**
 * `store migrate --from SRC --to DST`: copies every key of one store to another, each a data folder
 * or a `postgres://` URL (`--schema`, default "store"). The source is read at one seq (a folder:
 * its files frozen, no lock; PostgreSQL: one REPEATABLE READ snapshot), streamed, and written in
 * batches of at most 1,000 keys; a target that holds keys is refused unless `--force`. At the end
 * both sides are counted and hashed (every key with its value, read back from the target) and the
 * two are printed; a difference exits 1.
 */
export async function migrate(io: Io, options: MigrateOptions): Promise<ExitCode> {
  const source = await openSource(options.from, options.schema);
  try {
    const target = await openTarget(options.to, options.schema);
    try {
      const before = await target.kv.stats();
      if (before.keys > 0 && options.force !== true) {
        throw new StoreError(
          "STORE_CONFLICT",
          `The target ${redact(options.to)} holds ${before.keys} keys; migrate into an empty store, or pass --force to write over it (its other keys stay, and the check covers the migrated ones).`,
        );
      }
      const copied = await copy(io, source, target.kv, options);
      const written = await digestTarget(target, options.force === true ? copied.keysSeen : undefined);
      const report = {
        from: redact(options.from),
        to: redact(options.to),
        seq: source.seq,
        batches: copied.batches,
        source: { keys: copied.digest.keys, hash: hex(copied.digest.hash) },
        target: { keys: written.keys, hash: hex(written.hash) },
        verified: copied.digest.keys === written.keys && copied.digest.hash === written.hash,
      };
      if (options.json === true) outJson(io, report);
      else {
        out(io, `migrated ${report.source.keys} keys from ${report.from} (at seq ${report.seq}) to ${report.to} in ${report.batches} batches`);
        out(io, `source: ${report.source.keys} keys, hash ${report.source.hash}`);
        out(io, `target: ${report.target.keys} keys, hash ${report.target.hash}`);
        out(io, report.verified ? "verified: the same keys and values on both sides" : "MISMATCH: the target does not hold what the source held");
      }
      return report.verified ? EXIT.ok : EXIT.found;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

async function copy(io: Io, source: Source, target: KeyValueStore, options: MigrateOptions): Promise<{ digest: Digest; batches: number; keysSeen: Set<string> | undefined }> {
  const digest: Digest = { keys: 0, hash: 0n };
  const keysSeen = options.force === true ? new Set<string>() : undefined;
  const progress = io.stderrIsTty && options.json !== true;
  let ops: WriteOp[] = [];
  let bytes = 0;
  let batches = 0;
  const flush = async (): Promise<void> => {
    if (ops.length === 0) return;
    await target.batch(ops);
    batches += 1;
    ops = [];
    bytes = 0;
  };
  for await (const { key, value } of source.entries()) {
    const json = JSON.stringify(value);
    const size = Buffer.byteLength(key) + Buffer.byteLength(json);
    if (ops.length >= BATCH_ENTRIES_MAX || (ops.length > 0 && bytes + size > BATCH_BYTES_TARGET)) await flush();
    ops.push({ type: "set", key, value });
    bytes += size;
    add(digest, key, value);
    keysSeen?.add(key);
    if (progress && digest.keys % PROGRESS_EVERY_KEYS === 0) err(io, `migrate: ${digest.keys}${source.keys === undefined ? "" : ` of ${source.keys}`} keys`);
  }
  await flush();
  return { digest, batches, keysSeen };
}

async function digestTarget(target: Target, only: ReadonlySet<string> | undefined): Promise<Digest> {
  const digest: Digest = { keys: 0, hash: 0n };
  for await (const { key, value } of target.read()) if (only === undefined || only.has(key)) add(digest, key, value);
  return digest;
}

// The multiset of (key, value) as a sum of per-entry SHA-256s modulo 2^256: independent of order
// (a folder's export is not in key order), and any entry missing, extra or changed moves it.
function add(digest: Digest, key: string, value: JsonValue): void {
  const hash = createHash("sha256").update(key).update("\u0000").update(canonical(value)).digest("hex");
  digest.keys += 1;
  digest.hash = (digest.hash + BigInt(`0x${hash}`)) % 2n ** 256n;
}

/** JSON with object keys sorted: stores may give an object's keys back in another order. */
function canonical(value: JsonValue): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === "object" && inner !== null && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : inner,
  );
}

function hex(hash: bigint): string {
  return hash.toString(16).padStart(64, "0");
}

function isUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//u.test(location);
}

async function openSource(location: string, schema: string): Promise<Source> {
  if (isUrl(location)) {
    const store = await openPostgresStore({ connectionString: location }, { schema });
    try {
      const exported = await store.exportEntries();
      return { seq: exported.seq, keys: exported.keys, entries: () => exported.entries(), close: () => store.close() };
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  const exported = await exportEntries(location);
  return { seq: exported.seq, keys: undefined, entries: () => exported.entries(), close: () => exported.close() };
}

interface Target {
  readonly kv: KeyValueStore;
  /** Every entry, for the check: PostgreSQL's at one seq, a folder's from its memory. */
  read(): AsyncIterable<{ readonly key: string; readonly value: JsonValue }>;
  close(): Promise<void>;
}

async function openTarget(location: string, schema: string): Promise<Target> {
  if (isUrl(location)) {
    const store: PostgresStore = await openPostgresStore({ connectionString: location }, { schema });
    return {
      kv: store,
      read: async function* () {
        const exported = await store.exportEntries();
        try {
          yield* exported.entries();
        } finally {
          await exported.close();
        }
      },
      close: () => store.close(),
    };
  }
  const kv = toKeyValueStore(await openStore(location));
  return { kv, read: () => scanAll(kv), close: () => kv.close() };
}

/** A location as printed: a URL without its password. */
function redact(location: string): string {
  if (!isUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password !== "") url.password = "***";
    return url.toString();
  } catch {
    return "a postgres:// URL";
  }
}
