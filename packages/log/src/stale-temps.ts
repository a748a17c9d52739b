import { join } from "node:path";
import { isErrno, isTempName, nodeProcessProbe, tempFileOwnerPid, type FileSystem, type ProcessProbe } from "@store/fs";
import { BACKUPS_FOLDER, DAMAGED_FOLDER } from "./files.js";

/**
 * Removes the temp files that atomic writes of dead processes left in the data folder, `backups/`
 * and `damaged/` (a process killed while writing a base, a backup or a salvaged copy). Not those
 * of live processes: one that is trying to take the lock right now has its lock file under a temp
 * name. Runs at a writable open, under the lock, so no live writer of this folder has any.
 */
export async function removeStaleTempFiles(fs: FileSystem, dir: string, probe: ProcessProbe = nodeProcessProbe): Promise<void> {
  for (const folder of [dir, join(dir, BACKUPS_FOLDER), join(dir, DAMAGED_FOLDER)]) {
    const names = await namesIn(fs, folder);
    const stale = names.filter((name) => isTempName(name) && isDead(tempFileOwnerPid(name), probe));
    for (const name of stale) {
      try {
        await fs.unlink(join(folder, name));
      } catch (error) {
        if (!isErrno(error, "ENOENT")) throw error;
      }
    }
    if (stale.length > 0) await fs.fsyncDir(folder);
  }
}

/** A temp file's owner is gone: no pid in its name, this process (which holds the lock now), or no such process. */
function isDead(pid: number | undefined, probe: ProcessProbe): boolean {
  return pid === undefined || pid === probe.pid || probe.startTicksOf(pid) === undefined;
}

async function namesIn(fs: FileSystem, folder: string): Promise<string[]> {
  const stat = await fs.stat(folder);
  return stat?.isDirectory === true ? fs.readdir(folder) : [];
}
