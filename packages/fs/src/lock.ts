import { join } from "node:path";
import { StoreLockedError, isErrno, type LockOwner } from "./errors.js";
import type { FileSystem } from "./file-system.js";
import { tempPathFor } from "./paths.js";
import { nodeProcessProbe, type ProcessProbe } from "./process-probe.js";
import { writeAll } from "./write-all.js";

export const LOCK_FILE_NAME = "LOCK";
const TAKEOVER_FILE_NAME = "LOCK.takeover";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface DirectoryLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): Promise<void>;
}

export interface LockOptions {
  readonly probe?: ProcessProbe;
  readonly now?: () => Date;
}

/**
 * Takes the single-writer lock of folder `dir`.
 *
 * The lock is a file named LOCK holding the owner's pid, host, start time and process start ticks.
 * It is created whole or not at all: the content is written and fsynced under a temp name, then
 * linked to LOCK, and link(2) fails if LOCK exists. A holder that died on this host (no such pid, or
 * the pid now belongs to a process that started later) is taken over; only one taker can be inside
 * the takeover at a time (it holds LOCK.takeover, made the same way), and it re-reads LOCK before
 * replacing it. No heartbeat or mtime is involved, so a stalled event loop never loses the lock.
 */
export async function acquireLock(fs: FileSystem, dir: string, options: LockOptions = {}): Promise<DirectoryLock> {
  const probe = options.probe ?? nodeProcessProbe;
  const owner: LockOwner = {
    pid: probe.pid,
    host: probe.host,
    startedAt: (options.now ?? (() => new Date()))().toISOString(),
    processStartTicks: probe.startTicksOf(probe.pid) ?? null,
  };
  const lockPath = join(dir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await tryCreate(fs, lockPath, owner)) {
      await fs.fsyncDir(dir);
      return createHandle(fs, dir, lockPath, owner);
    }
    const holder = await readLockOwner(fs, dir);
    if (holder === undefined) continue; // released between our link and our read
    if (!isStale(holder, probe)) throw lockedError(lockPath, holder, probe);
    if (await takeOver(fs, dir, holder, owner, probe)) return createHandle(fs, dir, lockPath, owner);
  }
  throw new StoreLockedError(`Could not take the lock ${lockPath}: it kept changing hands. Try again.`, {
    path: lockPath,
  });
}

/** The current holder of `dir`'s lock, or `undefined` if it is not locked. */
export async function readLockOwner(fs: FileSystem, dir: string): Promise<LockOwner | undefined> {
  return readOwnerFile(fs, join(dir, LOCK_FILE_NAME));
}

async function readOwnerFile(fs: FileSystem, path: string): Promise<LockOwner | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  }
  return parseOwner(decoder.decode(bytes), path);
}

function parseOwner(text: string, path: string): LockOwner {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === "number" && typeof value.host === "string" && typeof value.startedAt === "string") {
      return { pid: value.pid, host: value.host, startedAt: value.startedAt, processStartTicks: value.processStartTicks ?? null };
    }
  } catch {
    // fall through to the error below
  }
  throw new StoreLockedError(
    `The lock file ${path} is not a lock this library wrote, so its holder is unknown. ` +
      `If no process uses the folder, delete the file.`,
    { path },
  );
}

/** Writes `owner` under a temp name, fsyncs it, and links it to `path`. False if `path` exists. */
async function tryCreate(fs: FileSystem, path: string, owner: LockOwner): Promise<boolean> {
  const tempPath = tempPathFor(path);
  const handle = await fs.open(tempPath, "wx");
  try {
    await writeAll(handle, encoder.encode(`${JSON.stringify(owner)}\n`), 0);
    await handle.sync();
    await handle.close();
    await fs.link(tempPath, path);
    return true;
  } catch (error) {
    if (isErrno(error, "EEXIST")) return false;
    await handle.close().catch(() => undefined);
    throw error;
  } finally {
    await fs.unlink(tempPath).catch(() => undefined);
  }
}

function isStale(holder: LockOwner, probe: ProcessProbe): boolean {
  return lockHolderAlive(holder, probe) === false;
}

/**
 * Whether the lock's holder still runs: on this host, its pid runs with the start ticks it recorded
 * (a reused pid has others). `null` for a holder on another host, whose processes we cannot see:
 * such a lock is never taken over. The rule the lock applies, exported for tools that show it.
 */
export function lockHolderAlive(holder: LockOwner, probe: ProcessProbe = nodeProcessProbe): boolean | null {
  if (holder.host !== probe.host) return null;
  const ticks = probe.startTicksOf(holder.pid);
  if (ticks === undefined) return false;
  return ticks === null || holder.processStartTicks === null || ticks === holder.processStartTicks;
}

/** Replaces the stale lock with ours. False when a dead taker's marker was cleared: try again. */
async function takeOver(fs: FileSystem, dir: string, stale: LockOwner, owner: LockOwner, probe: ProcessProbe): Promise<boolean> {
  const lockPath = join(dir, LOCK_FILE_NAME);
  const takeoverPath = join(dir, TAKEOVER_FILE_NAME);
  if (!(await tryCreate(fs, takeoverPath, owner))) {
    const taker = await readOwnerFile(fs, takeoverPath);
    if (taker !== undefined && !isStale(taker, probe)) throw lockedError(lockPath, taker, probe);
    // A taker died inside its takeover: clear its marker and start over.
    await fs.unlink(takeoverPath).catch(() => undefined);
    return false;
  }
  try {
    const current = await readLockOwner(fs, dir);
    if (current !== undefined && !sameOwner(current, stale)) throw lockedError(lockPath, current, probe);
    if (current !== undefined) await fs.unlink(lockPath);
    if (!(await tryCreate(fs, lockPath, owner))) {
      const winner = await readLockOwner(fs, dir);
      throw lockedError(lockPath, winner, probe);
    }
    await fs.fsyncDir(dir);
    return true;
  } finally {
    await fs.unlink(takeoverPath).catch(() => undefined);
  }
}

function sameOwner(a: LockOwner, b: LockOwner): boolean {
  return a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;
}

function lockedError(path: string, holder: LockOwner | undefined, probe: ProcessProbe): StoreLockedError {
  // Not stale and our own pid on our own host: this very process (a reused pid is told apart as stale).
  if (holder !== undefined && holder.pid === probe.pid && holder.host === probe.host) {
    return new StoreLockedError(
      `The data folder is already open in this process (pid ${holder.pid}, since ${holder.startedAt}; ${path}): ` +
        `use the store that is open, or close it before opening the folder again.`,
      { path, owner: holder },
    );
  }
  const who = holder === undefined ? "another process" : `pid ${holder.pid} on host ${holder.host} since ${holder.startedAt}`;
  const advice =
    holder !== undefined && holder.host !== probe.host
      ? `stop that process; if host ${holder.host} is gone for good, delete the file`
      : "stop that process, or open the folder read-only";
  return new StoreLockedError(`The data folder is locked by ${who} (${path}): ${advice}.`, { path, owner: holder });
}

function createHandle(fs: FileSystem, dir: string, lockPath: string, owner: LockOwner): DirectoryLock {
  let released = false;
  return {
    path: lockPath,
    owner,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      const current = await readLockOwner(fs, dir).catch(() => undefined);
      if (current === undefined || !sameOwner(current, owner)) return;
      await fs.unlink(lockPath);
      await fs.fsyncDir(dir);
    },
  };
}
