import { join } from "node:path";
import { isErrno, tempFileOwnerPid, type FileSystem, type ProcessProbe } from "@store/fs";

/**
 * Folders with an open mirror in this process, per file system. A temp file named with this
 * process's own pid is garbage only if no other mirror here may be writing it right now: under a
 * container's init, every run of a bot can be pid 1, so "the pid is alive" says nothing about it.
 */
const openDirs = new WeakMap<FileSystem, Map<string, number>>();

export function registerMirrorDir(fs: FileSystem, dir: string): () => void {
  const dirs = openDirs.get(fs) ?? new Map<string, number>();
  openDirs.set(fs, dirs);
  dirs.set(dir, (dirs.get(dir) ?? 0) + 1);
  let registered = true;
  return () => {
    if (!registered) return;
    registered = false;
    const count = (dirs.get(dir) ?? 1) - 1;
    if (count === 0) dirs.delete(dir);
    else dirs.set(dir, count);
  };
}

/** The file a temp name (`.<file>.<pid>.<n>.tmp`, made by `tempPathFor`) was going to replace. */
function tempTarget(name: string): string {
  return name.slice(1).split(".").slice(0, -3).join(".");
}

/**
 * Removes the temp files of `targets` (view files, the manifest) in `dir` that a writer left when it
 * died between creating and renaming them: each kill -9 during a write leaves one, and nothing else
 * ever removes them. A temp file whose pid is alive (another process, or another mirror of this
 * folder in this process) is left alone. Returns how many were removed.
 */
export async function removeStaleTemps(fs: FileSystem, dir: string, targets: ReadonlySet<string>, probe: ProcessProbe): Promise<number> {
  let removed = 0;
  for (const name of await fs.readdir(dir)) {
    const pid = tempFileOwnerPid(name);
    if (pid === undefined || !targets.has(tempTarget(name))) continue;
    const alive = pid === process.pid ? (openDirs.get(fs)?.get(dir) ?? 0) > 1 : probe.startTicksOf(pid) !== undefined;
    if (alive) continue;
    try {
      await fs.unlink(join(dir, name));
      removed += 1;
    } catch (error) {
      if (!isErrno(error, "ENOENT")) throw error;
    }
  }
  return removed;
}
